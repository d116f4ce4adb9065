import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { requireTool, run } from '../helpers/tools.js';
import { renderUnit, systemdArg, UNIT_NAME, UNIT_MARKER } from '../../src/install/unit.js';
import { installBootSnapshots, uninstallBootSnapshots } from '../../src/install/boot-snapshots.js';

function tmp(t: { after: (fn: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-install-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/** The unit runs the script that installed it: in these tests, the running test file. */
const CLI = path.resolve(process.argv[1]!);
const UNIT_IN_ROOT = path.join('etc/systemd/system', UNIT_NAME);
const WANTS_IN_ROOT = path.join('etc/systemd/system/multi-user.target.wants', UNIT_NAME);

test('unit: oneshot after module loading, before the guests, wanted by multi-user, two absolute commands', () => {
  const unit = renderUnit({ node: '/usr/bin/node', cli: '/usr/local/bin/vfio-doctor', dir: null, keep: 30 });
  assert.ok(unit.startsWith(`${UNIT_MARKER}\n`));
  const lines = unit.split('\n');
  for (const l of [
    'Type=oneshot',
    'After=systemd-modules-load.service',
    'Before=libvirt-guests.service pve-guests.service',
    'WantedBy=multi-user.target',
    'ExecStart=/usr/bin/node /usr/local/bin/vfio-doctor snapshot --save --keep 30',
    'ExecStart=-/usr/bin/node /usr/local/bin/vfio-doctor diff --last --summary',
    'StateDirectory=vfio-doctor',
  ]) {
    assert.ok(lines.includes(l), `unit has "${l}"\n${unit}`);
  }
  const custom = renderUnit({ node: '/usr/bin/node', cli: '/opt/vd/vfio doctor.mjs', dir: '/srv/snap%s', keep: 5 });
  assert.match(custom, /^ExecStart=\/usr\/bin\/node "\/opt\/vd\/vfio doctor\.mjs" snapshot --save --keep 5 --dir \/srv\/snap%%s$/m);
  assert.match(custom, /^ReadWritePaths=-\/srv\/snap%%s$/m);
  assert.doesNotMatch(custom, /StateDirectory/);
  assert.throws(() => renderUnit({ node: 'node', cli: '/x', dir: null, keep: 1 }), /absolute paths/);
});

const ARGS: [string, string][] = [
  ['/usr/bin/node', '/usr/bin/node'],
  ['/opt/my tools/vd', '"/opt/my tools/vd"'],
  ['/srv/100%', '/srv/100%%'],
  ['/srv/$HOME', '/srv/$$HOME'],
  ['/srv/a"b', '"/srv/a\\"b"'],
  ['/srv/a\\b', '"/srv/a\\\\b"'],
  ['', '""'],
];
for (const [arg, want] of ARGS) {
  test(`unit: argument ${JSON.stringify(arg)} in systemd syntax`, () => assert.equal(systemdArg(arg), want));
}
test('unit: a path with a line break is refused', () => assert.throws(() => systemdArg('/a\nb'), /line break/));

test('systemd-analyze verify accepts the generated unit', async (t) => {
  const tool = requireTool('systemd-analyze', 'systemd');
  if (typeof tool !== 'string') {
    t.skip(tool.skip);
    return;
  }
  const dir = tmp(t);
  for (const [name, storeDir] of [['default store', null], ['custom store with a space', '/srv/vfio snapshots']] as const) {
    const unitDir = path.join(dir, name.replace(/\W+/g, '-'));
    fs.mkdirSync(unitDir);
    const file = path.join(unitDir, UNIT_NAME);
    fs.writeFileSync(file, renderUnit({ node: process.execPath, cli: CLI, dir: storeDir, keep: 30 }));
    const r = await run(tool, ['verify', '--man=no', file], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    assert.equal(r.stderr.trim(), '', `${name}: no warnings`);
  }
  // The check is real: a unit whose command does not exist fails it.
  const broken = path.join(dir, 'broken');
  fs.mkdirSync(broken);
  fs.writeFileSync(path.join(broken, UNIT_NAME), renderUnit({ node: '/nonexistent/node', cli: CLI, dir: null, keep: 30 }));
  const bad = await run(tool, ['verify', '--man=no', path.join(broken, UNIT_NAME)], { timeoutMs: 60_000 });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /\/nonexistent\/node is not executable/);
});

test('install --root writes the unit and the enable link; refuses a different unit without --force', async (t) => {
  const root = tmp(t);
  let r = await runCli(['install', '--boot-snapshots', '--root', root]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `wrote ${path.join(root, UNIT_IN_ROOT)}\n`);
  const unit = fs.readFileSync(path.join(root, UNIT_IN_ROOT), 'utf8');
  assert.ok(unit.includes(`ExecStart=${systemdArg(process.execPath)} ${systemdArg(CLI)} snapshot --save --keep 30\n`), unit);
  assert.equal(fs.statSync(path.join(root, UNIT_IN_ROOT)).mode & 0o777, 0o644);
  assert.equal(fs.readlinkSync(path.join(root, WANTS_IN_ROOT)), `/etc/systemd/system/${UNIT_NAME}`);
  assert.deepEqual(fs.readdirSync(path.join(root, 'etc/systemd/system')).sort(), ['multi-user.target.wants', UNIT_NAME], 'no temporary file left');

  r = await runCli(['install', '--boot-snapshots', '--root', root]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^unchanged /);

  r = await runCli(['install', '--boot-snapshots', '--root', root, '--keep', '7']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /already exists with different content \(use --force to replace it\)/);
  assert.equal(fs.readFileSync(path.join(root, UNIT_IN_ROOT), 'utf8'), unit, 'left alone');

  r = await runCli(['install', '--boot-snapshots', '--root', root, '--keep', '7', '--dir', '/srv/snaps', '--force']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(fs.readFileSync(path.join(root, UNIT_IN_ROOT), 'utf8'), /snapshot --save --keep 7 --dir \/srv\/snaps\n/);

  for (const [args, re] of [
    [['install', '--root', root], /nothing to install: name --boot-snapshots, --kernel-hook or both/],
    [['install', '--boot-snapshots', '--root', root, '--keep', 'all'], /--keep all: expected a whole number/],
    [['install', '--boot-snapshots', '--root', root, '--dir', 'relative/dir'], /the unit needs an absolute path/],
    [['install', '--boot-snapshots', '--root', path.join(root, 'missing')], /no such directory/],
  ] as [string[], RegExp][]) {
    const e = await runCli(args);
    assert.equal(e.code, 2, args.join(' '));
    assert.match(e.stderr, re);
  }
});

test('uninstall --root removes the unit and the link; refuses a unit it did not write', async (t) => {
  const root = tmp(t);
  assert.equal((await runCli(['install', '--boot-snapshots', '--root', root])).code, 0);
  let r = await runCli(['uninstall', '--root', root]);
  assert.equal(r.code, 0, r.stderr);
  // With neither flag both are removed; the kernel hook was never installed here.
  assert.equal(r.stdout, `not installed: no /etc/kernel/postinst.d/zz-vfio-doctor\nremoved ${path.join(root, UNIT_IN_ROOT)}\n`);
  assert.ok(!fs.existsSync(path.join(root, UNIT_IN_ROOT)));
  assert.throws(() => fs.lstatSync(path.join(root, WANTS_IN_ROOT)));
  r = await runCli(['uninstall', '--boot-snapshots', '--root', root]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^not installed/);

  fs.writeFileSync(path.join(root, UNIT_IN_ROOT), '[Service]\nExecStart=/bin/true\n');
  r = await runCli(['uninstall', '--root', root]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /was not written by vfio-doctor \(use --force/);
  assert.ok(fs.existsSync(path.join(root, UNIT_IN_ROOT)));
  r = await runCli(['uninstall', '--root', root, '--force']);
  assert.equal(r.code, 0);
  assert.ok(!fs.existsSync(path.join(root, UNIT_IN_ROOT)));
});

/** A stand-in systemctl that records each call's arguments, one JSON array per line. */
function fakeSystemctl(dir: string, exitCode = 0): { bin: string; calls: () => string[][] } {
  const log = path.join(dir, 'calls.log');
  const bin = path.join(dir, 'systemctl');
  fs.writeFileSync(
    bin,
    `#!${process.execPath}\nrequire('node:fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n` +
      (exitCode ? `process.stderr.write('Failed to connect to bus: No such file or directory\\n');\nprocess.exit(${exitCode});\n` : ''),
    { mode: 0o755 },
  );
  // The stand-in is CommonJS whatever the package says.
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type": "commonjs"}\n');
  return {
    bin,
    calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]) : []),
  };
}

test('install/uninstall on a live system: systemctl with argument arrays', async (t) => {
  const dir = tmp(t);
  const unitDir = path.join(dir, 'system');
  const fake = fakeSystemctl(dir);
  const unit = { node: process.execPath, cli: CLI, dir: null, keep: 30 };
  const r = await installBootSnapshots({ unitDir, systemctl: fake.bin, timeoutMs: 20_000 }, unit, { force: false });
  assert.ok(r.ok, JSON.stringify(r.steps));
  assert.deepEqual(fake.calls(), [['daemon-reload'], ['enable', UNIT_NAME]]);
  assert.ok(!fs.existsSync(path.join(unitDir, 'multi-user.target.wants')), 'systemctl does the enabling, not vfio-doctor');
  const u = await uninstallBootSnapshots({ unitDir, systemctl: fake.bin }, { force: false });
  assert.ok(u.ok, JSON.stringify(u.steps));
  assert.deepEqual(fake.calls().slice(2), [['disable', UNIT_NAME], ['daemon-reload']]);
  assert.ok(!fs.existsSync(path.join(unitDir, UNIT_NAME)));
});

test('install on a live system without systemctl, or with a failing one: reported, not a crash', async (t) => {
  const dir = tmp(t);
  const unit = { node: process.execPath, cli: CLI, dir: null, keep: 30 };
  const missing = await installBootSnapshots({ unitDir: path.join(dir, 'a'), systemctl: path.join(dir, 'no-such-systemctl') }, unit, { force: false });
  assert.equal(missing.ok, false);
  assert.equal(missing.steps.length, 1, 'stops at the first failed step');
  assert.match(missing.steps[0]!.message!, /no-such-systemctl not found \(is this host running systemd\?\)/);
  assert.ok(fs.existsSync(path.join(dir, 'a', UNIT_NAME)), 'the unit is written all the same');

  const failing = fakeSystemctl(path.join(dir), 1);
  const r = await installBootSnapshots({ unitDir: path.join(dir, 'b'), systemctl: failing.bin }, unit, { force: false });
  assert.equal(r.ok, false);
  assert.deepEqual(r.steps.map((s) => [s.what, s.ok]), [['systemctl daemon-reload', false]]);
  assert.match(r.steps[0]!.message!, /Failed to connect to bus/);

  // Uninstall without systemctl still removes the files, including the enable link.
  const unitDir = path.join(dir, 'c');
  fs.mkdirSync(path.join(unitDir, 'multi-user.target.wants'), { recursive: true });
  fs.writeFileSync(path.join(unitDir, UNIT_NAME), renderUnit(unit));
  fs.symlinkSync(`/etc/systemd/system/${UNIT_NAME}`, path.join(unitDir, 'multi-user.target.wants', UNIT_NAME));
  const u = await uninstallBootSnapshots({ unitDir, systemctl: path.join(dir, 'no-such-systemctl') }, { force: false });
  assert.equal(u.ok, false);
  assert.ok(!fs.existsSync(path.join(unitDir, UNIT_NAME)));
  assert.throws(() => fs.lstatSync(path.join(unitDir, 'multi-user.target.wants', UNIT_NAME)));
});

test('install --kernel-hook --root writes the postinst hook; uninstall --kernel-hook removes only it', async (t) => {
  const root = tmp(t);
  const hook = path.join(root, 'etc/kernel/postinst.d/zz-vfio-doctor');
  let r = await runCli(['install', '--kernel-hook', '--root', root]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^created \/etc\/kernel\/postinst\.d\/zz-vfio-doctor/);
  const script = fs.readFileSync(hook, 'utf8');
  assert.match(script, /preflight --kernel "\$version"/);
  assert.ok((fs.statSync(hook).mode & 0o111) !== 0, 'the hook is executable');
  assert.ok(!fs.existsSync(path.join(root, UNIT_IN_ROOT)), 'only the hook was asked for');
  assert.equal((await runCli(['install', '--boot-snapshots', '--root', root])).code, 0);
  r = await runCli(['uninstall', '--kernel-hook', '--root', root]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!fs.existsSync(hook));
  assert.ok(fs.existsSync(path.join(root, UNIT_IN_ROOT)), 'the unit stays');
});
