// `vfio-doctor analyze` end to end through the CLI: files and standard input, the --json shape (check's
// plus what the paste held), lines not understood listed, bad input refused in one line, and no
// conclusion drawn from what the paste does not show.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { buildHost } from '../fixtures/host-builder.js';
import { HOSTS } from '../fixtures/hosts.js';
import { parseValidated } from '../helpers/json-output.js';

function tmpdir(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vfio-doctor-analyze-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const PASTE = [
  'user@pve:~$ uname -r',
  '6.8.12-4-pve',
  'user@pve:~$ lspci -nnk -s 01:00',
  '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [GeForce RTX 2080] [10de:1e87] (rev a1)',
  '\tKernel driver in use: nvidia',
  '\tKernel modules: nouveau, nvidia',
  'this line is chatter from a forum post',
  'user@pve:~$ qm start 100',
  'kvm: -device vfio-pci,host=0000:01:00.0,id=hostpci0,bus=ich9-pcie-port-1,addr=0x0: vfio 0000:01:00.0: failed to open /dev/vfio/1: No such file or directory',
  'start failed: QEMU exited with code 1',
].join('\n');

test('analyze FILE: text report, sections found, and the lines not understood with their numbers', async (t) => {
  const dir = tmpdir(t);
  fs.writeFileSync(path.join(dir, 'paste.txt'), PASTE);
  const r = await runCli(['analyze', 'paste.txt'], { cwd: dir });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^vfio-doctor analyze — /);
  assert.match(r.stdout, /VERDICT: binding layer is broken \(host-driver-bound\)/);
  assert.match(r.stdout, /named by QEMU \(-device vfio-pci,host=\)/);
  assert.match(r.stdout, /Sections found \(4\)/);
  assert.match(r.stdout, /not understood: paste\.txt:7: this line is chatter from a forum post/);
});

test('analyze - reads standard input; several files are one paste', async (t) => {
  const dir = tmpdir(t);
  fs.writeFileSync(path.join(dir, 'dmesg.txt'), '[    0.151960] DMAR: IOMMU enabled\n');
  const r = await runCli(['analyze', '-', 'dmesg.txt', '--json'], { cwd: dir, stdin: 'user@pve:~$ uname -r\n6.8.12-4-pve\n' });
  assert.equal(r.code, 0, r.stderr);
  const j = parseValidated('report', r.stdout) as { host: { kernelRelease: string; origin: { kind: string; files: string[] } }; sectionsFound: { kind: string; file: string }[] };
  assert.equal(j.host.kernelRelease, '6.8.12-4-pve');
  assert.deepEqual(j.host.origin, { kind: 'paste', files: ['-', 'dmesg.txt'] });
  assert.deepEqual(j.sectionsFound.map((s) => [s.kind, s.file]), [['uname', '-'], ['kernel-log', 'dmesg.txt']]);
});

test('analyze --json has the shape of check --json plus notUnderstood, sectionsFound and earlierCaptures', async (t) => {
  const dir = tmpdir(t);
  const root = await buildHost(HOSTS.intelDesktop);
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const check = parseValidated('report', (await runCli(['check', '--root', root, '--json'])).stdout);
  fs.writeFileSync(path.join(dir, 'paste.txt'), PASTE);
  const r = await runCli(['analyze', 'paste.txt', '--json'], { cwd: dir });
  const j = parseValidated('report', r.stdout);
  assert.deepEqual(Object.keys(j).sort(), [...Object.keys(check), 'earlierCaptures', 'notUnderstood', 'sectionsFound'].sort());
  assert.deepEqual(j.earlierCaptures, []);
  assert.deepEqual(Object.keys(j.verdict).sort(), Object.keys(check.verdict).sort());
  assert.deepEqual(j.notUnderstood!.map((n) => [n.line, n.text]), [[7, 'this line is chatter from a forum post']]);
});

test('analyze --device makes that function the target', async (t) => {
  const dir = tmpdir(t);
  fs.writeFileSync(path.join(dir, 'p.txt'), '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [GeForce RTX 2080] [10de:1e87] (rev a1)\n\tKernel driver in use: vfio-pci\n01:00.1 Audio device [0403]: NVIDIA Corporation TU104 HD Audio Controller [10de:10f8] (rev a1)\n\tKernel driver in use: snd_hda_intel\n');
  const j = parseValidated('report', (await runCli(['analyze', 'p.txt', '--device', '01:00.0', '--json'], { cwd: dir })).stdout) as { verdict: { cause: string; subject: string }; targets: { address: string; reasons: string[] }[] };
  assert.equal(j.verdict.cause, 'companion-not-bound');
  assert.equal(j.verdict.subject, '0000:01:00.1');
  assert.deepEqual(j.targets.find((x) => x.address === '0000:01:00.0')!.reasons, ['--device']);
});

test('no guessing from silence: lspci without group lines leaves the IOMMU undetermined, not off', async (t) => {
  const dir = tmpdir(t);
  fs.writeFileSync(path.join(dir, 'p.txt'), '$ lspci -nnk\n01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [GeForce RTX 2080] [10de:1e87] (rev a1)\n\tKernel driver in use: vfio-pci\n');
  const j = parseValidated('report', (await runCli(['analyze', 'p.txt', '--json'], { cwd: dir })).stdout) as { verdict: { status: string; layer: string | null; missing: { check: string; settle: string }[] }; findings: { cause: string }[] };
  assert.equal(j.verdict.status, 'undetermined');
  // Nothing in the paste points at a layer (a device shown on vfio-pci names no failure): no layer is named,
  // and the firmware check that stays open is listed with what settles it.
  assert.equal(j.verdict.layer, null);
  assert.ok(j.verdict.missing.some((m) => m.check === 'no-iommu-table' && /iommu_groups/.test(m.settle)));
  assert.ok(!j.findings.some((f) => /iommu-(inactive|disabled)/.test(f.cause)));
});

test('bad input: one line naming the file, exit 2, no stack trace', async (t) => {
  const dir = tmpdir(t);
  fs.writeFileSync(path.join(dir, 'empty.txt'), '');
  fs.writeFileSync(path.join(dir, 'garbage.bin'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3, 0, 0xff, 0xfe]));
  fs.mkdirSync(path.join(dir, 'adir'));
  const cases: [string[], RegExp][] = [
    [['analyze', 'empty.txt'], /^vfio-doctor analyze: empty\.txt: empty input/],
    [['analyze', 'garbage.bin'], /^vfio-doctor analyze: garbage\.bin: binary data/],
    [['analyze', 'missing.txt'], /^vfio-doctor analyze: missing\.txt: no such file/],
    [['analyze', 'adir'], /^vfio-doctor analyze: adir: is a directory .*check --sos/],
    [['analyze'], /^vfio-doctor analyze: name at least one file/],
    [['analyze', 'empty.txt', '--device', 'nonsense'], /^vfio-doctor analyze: --device nonsense: not a PCI address/],
  ];
  for (const [args, re] of cases) {
    const r = await runCli(args, { cwd: dir });
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, re, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const stdin = await runCli(['analyze', '-'], { cwd: dir, stdin: '' });
  assert.equal(stdin.code, 2);
  assert.match(stdin.stderr, /-: empty input/);
});

test('lspci -k and an initramfs listing together let the initramfs check run', async (t) => {
  const dir = tmpdir(t);
  fs.writeFileSync(
    path.join(dir, 'p.txt'),
    [
      '$ lspci -nnk -s 01:00.0',
      '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [GeForce RTX 2080] [10de:1e87] (rev a1)',
      '\tSubsystem: Micro-Star International Co., Ltd. [MSI] Device [1462:3771]',
      '\tKernel driver in use: nouveau',
      '\tKernel modules: nouveau',
      '$ lsinitramfs /boot/initrd.img-6.8.0-48-generic',
      'usr/lib/modules/6.8.0-48-generic/kernel/drivers/gpu/drm/nouveau/nouveau.ko.zst',
      'usr/lib/modules/6.8.0-48-generic/kernel/drivers/usb/host/xhci-pci.ko.zst',
    ].join('\n'),
  );
  const j = parseValidated('report', (await runCli(['analyze', 'p.txt', '--device', '01:00.0', '--json'], { cwd: dir })).stdout) as { findings: { cause: string; severity: string }[] };
  assert.ok(j.findings.some((f) => f.cause === 'initramfs-missing-vfio' && f.severity === 'fail'), JSON.stringify(j.findings.map((f) => f.cause)));
});
