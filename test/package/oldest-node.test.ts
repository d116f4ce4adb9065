// The npm package claims Node.js >= 18.19 (Debian 12 / Proxmox VE 8). The bundle is run with that
// oldest Node and with the Node running the tests, on the same fixture host and the same inputs: every
// command must give the same exit code and the same output, byte for byte once times are masked.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { buildHost } from '../fixtures/host-builder.js';
import { amdWorkstation, intelDesktop } from '../fixtures/hosts.js';
import { OLDEST_NODE, oldestNode } from './support/oldest-node.js';
import { parseValidated } from '../helpers/json-output.js';

const bundle = path.join(repoRoot, 'dist/vfio-doctor.mjs');

// Wall-clock stamps and durations are the only outputs allowed to differ between two runs.
function masked(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replace(/"(durationMs|elapsedMs|tookMs)": ?\d+(\.\d+)?/g, '"$1": <ms>');
}

function run(node: string, args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(node, [bundle, ...args], { encoding: 'utf8', timeout: 120_000, input, env: { ...process.env, NO_COLOR: '1', COLUMNS: '100' } });
  return { status: r.status, stdout: masked(r.stdout), stderr: masked(r.stderr) };
}

test(`the bundle runs on Node.js ${OLDEST_NODE} exactly as on the current Node.js`, async (t) => {
  if (!fs.existsSync(bundle)) return t.skip('no dist/vfio-doctor.mjs: run npm run build first');
  const found = oldestNode();
  if ('skip' in found) return t.skip(found.skip);
  const old = found.node;
  const version = spawnSync(old, ['--version'], { encoding: 'utf8' });
  assert.equal(version.stdout.trim(), `v${OLDEST_NODE}`);

  const work = tempDir('oldest-node', t);
  const intel = await buildHost(intelDesktop, path.join(work, 'intel'));
  const amd = await buildHost(amdWorkstation, path.join(work, 'amd'));
  const paste = [
    'Dec 06 10:00:01 pve kernel: DMAR: IOMMU enabled',
    'Dec 06 10:00:09 pve kernel: vfio-pci 0000:0b:00.0: BAR 0: can\'t reserve [mem 0xe0000000-0xefffffff 64bit pref]',
    'kvm: -device vfio-pci,host=0000:0b:00.0,id=hostpci0,bus=ich9-pcie-port-1,addr=0x0: vfio 0000:0b:00.0: failed to open /dev/vfio/5: Permission denied',
    'TASK ERROR: start failed: QEMU exited with code 1',
  ].join('\n') + '\n';
  fs.writeFileSync(path.join(work, 'paste.txt'), paste);
  const log = path.join(intel, 'var/log/kern.log');
  // A policy: the yaml parser, which the bundle compiles on first use (scripts/lazy-modules.mjs).
  const policy = path.join(work, 'policy.yaml');
  fs.writeFileSync(policy, 'version: 1\nentries:\n  - name: all\n    interrupt_remapping: required\n');

  const cases: { name: string; args: string[]; input?: string }[] = [
    { name: '--version', args: ['--version'] },
    { name: 'help check', args: ['help', 'check'] },
    { name: 'check --root (text)', args: ['check', '--root', intel] },
    { name: 'check --root --json', args: ['check', '--root', amd, '--json'] },
    { name: 'check --markdown', args: ['check', '--root', intel, '--markdown'] },
    { name: 'analyze FILE', args: ['analyze', path.join(work, 'paste.txt')] },
    { name: 'analyze - --json', args: ['analyze', '-', '--json'], input: paste },
    { name: 'snapshot -o', args: ['snapshot', '--root', intel, '-o', '-'] },
    { name: 'check --policy', args: ['check', '--root', intel, '--policy', policy] },
    { name: 'a usage error', args: ['chekc'] },
  ];
  if (fs.existsSync(log)) cases.push({ name: 'decode', args: ['decode', log] });

  for (const c of cases) {
    const now = run(process.execPath, c.args, c.input);
    const then = run(old, c.args, c.input);
    assert.ok(now.stdout.length > 0 || now.stderr.length > 0, `${c.name}: no output at all`);
    assert.deepEqual(then, now, `${c.name}: Node ${OLDEST_NODE} differs from ${process.version}`);
  }

  // Two snapshots of different hosts, diffed by each Node: the comparison code paths too.
  const a = path.join(work, 'a.json');
  const b = path.join(work, 'b.json');
  for (const [root, out] of [[intel, a], [amd, b]] as const) {
    const r = spawnSync(old, [bundle, 'snapshot', '--root', root, '-o', out], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
  }
  // The code cache was made by the current Node: the oldest one's V8 refuses it and compiles the file.
  const told = spawnSync(old, [bundle, '--version'], { encoding: 'utf8', env: { ...process.env, VFIO_DOCTOR_CODE_CACHE: 'report' } });
  assert.equal(told.stderr, 'vfio-doctor: code cache rejected by V8 (another Node.js, or other V8 flags)\n');
  const diffNow = run(process.execPath, ['diff', a, b, '--json']);
  const diffThen = run(old, ['diff', a, b, '--json']);
  assert.deepEqual(diffThen, diffNow);
  // run() masks the times, which the schema holds to date-time: the unmasked output is the one to validate.
  parseValidated('diff', spawnSync(process.execPath, [bundle, 'diff', a, b, '--json'], { encoding: 'utf8', timeout: 120_000 }).stdout, 'diff --json');
});

test('a Node.js older than the oldest supported gets one line saying what to use instead, and exit 2', (t) => {
  if (!fs.existsSync(bundle)) return t.skip('no dist/vfio-doctor.mjs: run npm run build first');
  const work = tempDir('old-node-guard', t);
  // Node 16 itself is not fetched: the running Node is made to report 16.20.2 before the bundle loads.
  const pretend = path.join(work, 'pretend-16.mjs');
  fs.writeFileSync(pretend, "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '16.20.2' } });\n");
  const r = spawnSync(process.execPath, ['--import', pretend, bundle, 'check'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'vfio-doctor: needs Node.js >= 18.19, this is 16.20.2; on this host use the .deb or the single executable dist/vfio-doctor (see the README)\n');
});
