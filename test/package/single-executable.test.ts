// The single executable (npm run build:sea) and the .deb around it (npm run build:deb), built here from
// the sources the way the scripts build them: the binary runs on a fixture host with no Node.js on
// PATH, and the package installs with dpkg -i, runs, and purges without a trace.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { findTool } from '../helpers/tools.js';
import { buildHost } from '../fixtures/host-builder.js';
import { intelDesktop } from '../fixtures/hosts.js';
import { VERSION } from '../../src/version.js';
import { parseValidated } from '../helpers/json-output.js';

const supported = process.platform === 'linux' && process.arch === 'x64';
const work = tempDir('sea-test');
const bin = path.join(work, 'vfio-doctor');
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

before(() => {
  if (!supported) return;
  const built = spawnSync(process.execPath, ['scripts/build-sea.mjs', bin], { cwd: repoRoot, encoding: 'utf8', timeout: 600_000 });
  assert.equal(built.status, 0, built.stderr);
});

test('the single executable runs check, snapshot and help on a fixture host without Node on PATH', { skip: supported ? false : 'linux-x64 only' }, async () => {
  const env = { PATH: '/nonexistent', LANG: 'C' };
  const run = (args: string[]) => spawnSync(bin, args, { encoding: 'utf8', env, timeout: 120_000 });

  const version = run(['--version']);
  assert.equal(version.stdout, `${VERSION}\n`);
  assert.equal(version.stderr, '', 'no experimental warning or other noise');
  assert.match(run(['check', '--help']).stdout, /^Usage: vfio-doctor check /);

  const root = await buildHost(intelDesktop, path.join(work, 'host'));
  const check = run(['check', '--root', root, '--json']);
  assert.ok(check.status === 0 || check.status === 1, check.stderr);
  assert.ok(['healthy', 'warning', 'broken', 'undetermined'].includes(parseValidated('report', check.stdout).verdict.status));
  const snap = run(['snapshot', '--root', root]);
  assert.equal(snap.status, 0, snap.stderr);
  assert.ok(parseValidated('snapshot', snap.stdout).pci.length > 0);

  // The boot unit it writes starts the binary itself: there is no separate script to hand to it.
  const target = path.join(work, 'target');
  fs.mkdirSync(target);
  const install = run(['install', '--boot-snapshots', '--root', target]);
  assert.equal(install.status, 0, install.stderr);
  const unit = fs.readFileSync(path.join(target, 'etc/systemd/system/vfio-doctor-boot-snapshot.service'), 'utf8');
  assert.match(unit, new RegExp(`^ExecStart=${esc(bin)} snapshot --save`, 'm'));
});

const debSkip = !supported
  ? 'linux-x64 only'
  : process.getuid?.() !== 0
    ? 'installing a .deb needs root: run the tests as root to check the package'
    : !findTool('dpkg-deb') || !findTool('dpkg')
      ? 'dpkg not installed'
      : spawnSync('dpkg', ['-s', 'vfio-doctor'], { stdio: 'ignore' }).status === 0
        ? 'a vfio-doctor package is already installed on this machine; not touching it'
        : false;

test('the .deb installs with dpkg -i, runs, and purges cleanly', { skip: debSkip }, async (t) => {
  const out = path.join(work, 'deb');
  const built = spawnSync(process.execPath, ['scripts/build-deb.mjs', '--binary', bin, '--out', out, '--compression', 'gzip'], { cwd: repoRoot, encoding: 'utf8', timeout: 600_000 });
  assert.equal(built.status, 0, built.stderr);
  const deb = built.stdout.trim();
  const contents = spawnSync('dpkg-deb', ['--contents', deb], { encoding: 'utf8' }).stdout;
  const shipped = [
    '/usr/bin/vfio-doctor',
    '/lib/systemd/system/vfio-doctor-boot-snapshot.service',
    '/etc/kernel/postinst.d/zz-vfio-doctor',
    '/usr/share/man/man1/vfio-doctor.1.gz',
    '/usr/share/bash-completion/completions/vfio-doctor',
    '/usr/share/zsh/vendor-completions/_vfio-doctor',
    '/usr/share/fish/vendor_completions.d/vfio-doctor.fish',
    '/usr/share/doc/vfio-doctor/copyright',
    ...fs.readdirSync(path.join(repoRoot, 'schema')).map((f) => `/usr/share/vfio-doctor/schema/${f}`),
  ];
  for (const f of shipped) assert.match(contents, new RegExp(` \\.${esc(f)}$`, 'm'), f);

  t.after(() => void spawnSync('dpkg', ['--purge', 'vfio-doctor'], { stdio: 'ignore' }));
  const install = spawnSync('dpkg', ['-i', deb], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(install.status, 0, install.stderr);
  const version = spawnSync('/usr/bin/vfio-doctor', ['--version'], { encoding: 'utf8' });
  assert.equal(version.stdout, `${VERSION}\n`);
  const root = await buildHost(intelDesktop, path.join(work, 'deb-host'));
  const check = spawnSync('/usr/bin/vfio-doctor', ['check', '--root', root], { encoding: 'utf8', timeout: 120_000 });
  assert.ok(check.status === 0 || check.status === 1, check.stderr);
  assert.match(fs.readFileSync('/lib/systemd/system/vfio-doctor-boot-snapshot.service', 'utf8'), /^ExecStart=\/usr\/bin\/vfio-doctor snapshot --save/m);
  assert.match(fs.readFileSync('/etc/kernel/postinst.d/zz-vfio-doctor', 'utf8'), /^vfio_doctor='\/usr\/bin\/vfio-doctor'$/m);

  const purge = spawnSync('dpkg', ['--purge', 'vfio-doctor'], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(purge.status, 0, purge.stderr);
  for (const f of shipped) assert.ok(!fs.existsSync(f), `${f} left after purge`);
  assert.notEqual(spawnSync('dpkg', ['-s', 'vfio-doctor'], { stdio: 'ignore' }).status, 0, 'package still known to dpkg');
});
