// The bundle holds the snapshot validator, the yaml parser and the tar and xz readers as text compiled on
// first use (scripts/lazy-modules.mjs). Every path through them is run here twice, by the bundle and by the
// compiled sources (which import them as ordinary modules), and must give the same exit code and output.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { findTool } from '../helpers/tools.js';
import { buildHost } from '../fixtures/host-builder.js';
import { intelDesktop } from '../fixtures/hosts.js';

const bundle = path.join(repoRoot, 'dist/vfio-doctor.mjs');
const sources = path.join(repoRoot, 'build/src/cli/bin.js');

function run(script: string, args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [script, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1', COLUMNS: '100' } });
  const mask = (s: string) => s.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>').replace(/"(durationMs|elapsedMs|tookMs)": ?\d+(\.\d+)?/g, '"$1": <ms>');
  return { status: r.status, stdout: mask(r.stdout), stderr: mask(r.stderr) };
}

function write(root: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

test('the lazily compiled parts of the bundle (validator, yaml, tar, xz) give what the sources give', async (t) => {
  if (!fs.existsSync(bundle)) return t.skip('no dist/vfio-doctor.mjs: run npm run build first');
  const work = tempDir('bundle-lazy', t);
  const host = await buildHost(intelDesktop, path.join(work, 'host'));
  const made = spawnSync(process.execPath, [bundle, 'snapshot', '--root', host, '-o', path.join(work, 'good.json')], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(made.status, 0, made.stderr);

  // Snapshots: one that validates, one with a field of the wrong type, one missing a field.
  const good = JSON.parse(fs.readFileSync(path.join(work, 'good.json'), 'utf8'));
  fs.writeFileSync(path.join(work, 'wrong-type.json'), JSON.stringify({ ...good, pci: [{ ...good.pci[0], iommuGroup: 'seven' }, ...good.pci.slice(1)] }));
  const { collectedAt: _dropped, ...missing } = good;
  fs.writeFileSync(path.join(work, 'missing.json'), JSON.stringify(missing));

  // Policies: one that parses, one that is not YAML.
  write(work, 'policy.yaml', 'version: 1\nentries:\n  - name: all\n    interrupt_remapping: required\n    allow_unsafe_interrupts: forbidden\n');
  write(work, 'broken.yaml', 'version: 1\nentries:\n  - name: all\n    interrupt_remapping: [1\n');

  // A small sosreport, as .tar.gz and (where xz exists) .tar.xz, and an .xz file that is not one.
  const sos = path.join(work, 'sosreport-pve-2024-10-01-abcdefg');
  write(sos, 'version.txt', 'sosreport: 4.5.6\n');
  write(sos, 'proc/cmdline', 'BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet intel_iommu=on\n');
  write(sos, 'sos_commands/kernel/uname_-a', 'Linux pve 6.8.12-4-pve #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4 (2024-11-06T15:04Z) x86_64 GNU/Linux\n');
  write(sos, 'sos_commands/kernel/dmesg', '[    0.151960] DMAR: IOMMU enabled\n[    0.520441] pci 0000:01:00.0: Adding to iommu group 1\n');
  write(sos, 'sos_commands/pci/lspci_-nnvv', '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [GeForce RTX 2080] [10de:1e87] (rev a1)\n\tIOMMU group: 1\n\tKernel driver in use: vfio-pci\n\n');
  const archives = ['sos.tar.gz'];
  assert.equal(spawnSync('tar', ['-czf', path.join(work, 'sos.tar.gz'), '-C', work, path.basename(sos)]).status, 0);
  if (findTool('xz')) {
    assert.equal(spawnSync('tar', ['-cJf', path.join(work, 'sos.tar.xz'), '-C', work, path.basename(sos)]).status, 0);
    archives.push('sos.tar.xz');
    fs.writeFileSync(path.join(work, 'truncated.tar.xz'), fs.readFileSync(path.join(work, 'sos.tar.xz')).subarray(0, 200));
    archives.push('truncated.tar.xz');
  }

  const cases: string[][] = [
    ['check', '--snapshot', 'good.json', '--json'],
    ['check', '--snapshot', 'wrong-type.json'],
    ['check', '--snapshot', 'missing.json'],
    ['diff', 'good.json', 'good.json'],
    ['check', '--snapshot', 'good.json', '--policy', 'policy.yaml'],
    ['check', '--snapshot', 'good.json', '--policy', 'broken.yaml'],
    ...archives.map((a) => ['check', '--sos', a]),
  ];
  for (const args of cases) {
    const ours = run(bundle, args, work);
    const theirs = run(sources, args, work);
    assert.ok(ours.stdout.length > 0 || ours.stderr.length > 0, `${args.join(' ')}: no output at all`);
    assert.deepEqual(ours, theirs, `${args.join(' ')}: the bundle differs from the sources`);
  }
  // The cases above did reach the lazily compiled code, each with its own outcome.
  assert.match(run(bundle, ['check', '--snapshot', 'wrong-type.json'], work).stderr, /field "pci\[0\]\.iommuGroup" must be a whole number or null/);
  assert.match(run(bundle, ['check', '--snapshot', 'good.json', '--policy', 'broken.yaml'], work).stderr, /not valid YAML/);
  assert.doesNotMatch(run(bundle, ['check', '--sos', 'sos.tar.gz'], work).stderr, /internal error/);
});

test('the bundle and its launcher are ASCII only (one character beyond makes V8 hold the whole source as two-byte text)', (t) => {
  if (!fs.existsSync(bundle)) return t.skip('no dist/vfio-doctor.mjs: run npm run build first');
  for (const file of [bundle, path.join(repoRoot, 'dist/vfio-doctor.cjs')]) {
    const text = fs.readFileSync(file, 'latin1');
    const at = text.search(/[^\x00-\x7f]/);
    assert.equal(at, -1, `${file}: a byte beyond ASCII at ${at}: ${JSON.stringify(text.slice(Math.max(0, at - 40), at + 10))}`);
  }
});
