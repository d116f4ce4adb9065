// `check --sos`: a sosreport read through its layout. A report written by the real sos on this machine,
// one built from a fixture host with real lspci output, a hand-made one, archives of it, and the bad
// inputs that must end in one line and exit 2.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSos } from '../../src/sos/read-sos.js';
import { collectSnapshot } from '../../src/collect/collect.js';
import { runCli } from '../helpers/run-cli.js';
import { findTool, requireTool, run } from '../helpers/tools.js';
import { buildHost } from '../fixtures/host-builder.js';
import { HOSTS } from '../fixtures/hosts.js';
import { parseValidated } from '../helpers/json-output.js';

function tmpdir(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vfio-doctor-sostest-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function write(root: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

/** A small report in sos's layout: copied files at host paths, command outputs in sos_commands/. */
function handMadeSos(dir: string): string {
  const root = path.join(dir, 'sosreport-pve-2024-10-01-abcdefg');
  write(root, 'version.txt', 'sosreport: 4.5.6\n');
  write(root, 'sos_logs/sos.log', '');
  write(root, 'proc/cmdline', 'BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet intel_iommu=on\n');
  write(root, 'etc/modprobe.d/vfio.conf', 'options vfio-pci ids=10de:1e87,10de:10f8\n');
  write(root, 'sys/module/vfio_pci/parameters/disable_idle_d3', 'N\n');
  write(root, 'sos_commands/kernel/uname_-a', 'Linux pve 6.8.12-4-pve #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4 (2024-11-06T15:04Z) x86_64 GNU/Linux\n');
  write(root, 'sos_commands/kernel/dmesg', [
    '[    0.000000] Linux version 6.8.12-4-pve (build@proxmox) (gcc (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC',
    '[    0.151960] DMAR: IOMMU enabled',
    '[    0.520441] pci 0000:01:00.0: Adding to iommu group 1',
    '[    0.520452] pci 0000:01:00.1: Adding to iommu group 1',
    '[    3.113004] vfio-pci 0000:01:00.0: vgaarb: changed VGA decodes: olddecodes=io+mem,decodes=io+mem:owns=none',
  ].join('\n') + '\n');
  write(root, 'sos_commands/kernel/lsmod', 'Module                  Size  Used by\nvfio_pci               16384  0\nvfio_pci_core          94208  1 vfio_pci\nvfio_iommu_type1       49152  0\nvfio                   69632  3 vfio_pci_core,vfio_iommu_type1,vfio_pci\n');
  write(root, 'sos_commands/pci/lspci_-nnvv', [
    'lspci: Unable to load libkmod resources: error -2',
    '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [GeForce RTX 2080] [10de:1e87] (rev a1) (prog-if 00 [VGA controller])',
    '\tIOMMU group: 1',
    '\tKernel driver in use: vfio-pci',
    '',
    '01:00.1 Audio device [0403]: NVIDIA Corporation TU104 HD Audio Controller [10de:10f8] (rev a1)',
    '\tIOMMU group: 1',
    '\tKernel driver in use: snd_hda_intel',
    '',
  ].join('\n'));
  write(root, 'sos_commands/boot/mokutil_--sb-state', 'SecureBoot disabled\n');
  write(root, 'sos_commands/boot/ls_-lanR_.boot', '/boot:\ntotal 8\n-rw-r--r-- 1 0 0 287000 Oct  1 06:25 config-6.8.12-4-pve\n-rw-r--r-- 1 0 0 14000000 Oct  1 06:25 vmlinuz-6.8.12-4-pve\n-rw-r--r-- 1 0 0 14000000 Oct  9 06:25 vmlinuz-6.8.12-5-pve\n');
  write(root, 'etc/pve/qemu-server/100.conf', 'boot: order=scsi0\ncores: 8\nhostpci0: 0000:01:00,pcie=1,x-vga=1\nmemory: 16384\nname: win11\n');
  write(root, 'sos_commands/empty_command_output', '');
  return root;
}

test('a hand-made sosreport directory: copied files, command outputs and VM configs in one snapshot', async (t) => {
  const dir = tmpdir(t);
  const root = handMadeSos(dir);
  const { snapshot: s } = await readSos(root);
  assert.deepEqual(s.origin, { kind: 'sos', path: root });
  assert.equal(s.host.kernelRelease, '6.8.12-4-pve');
  assert.deepEqual(s.host.cmdline?.iommu.intelIommu, ['on'], 'proc/cmdline copied by sos');
  assert.deepEqual(s.modules.modprobe.map((e) => e.file), ['/etc/modprobe.d/vfio.conf']);
  assert.equal(s.modules.parameters['vfio_pci']?.['disable_idle_d3'], 'N');
  assert.deepEqual(s.pci.map((d) => [d.address, d.driver, d.iommuGroup]), [['0000:01:00.0', 'vfio-pci', 1], ['0000:01:00.1', 'snd_hda_intel', 1]]);
  assert.equal(s.kernelLog?.from, 'sos_commands/kernel/dmesg');
  assert.deepEqual(s.modules.loaded?.map((m) => m.name).sort(), ['vfio', 'vfio_iommu_type1', 'vfio_pci', 'vfio_pci_core']);
  assert.equal(s.firmware.secureBoot, false);
  assert.deepEqual(s.host.installedKernels.map((k) => k.version), ['6.8.12-4-pve', '6.8.12-5-pve']);
  const r = await runCli(['check', '--sos', root, '--json']);
  const j = parseValidated('report', r.stdout) as { verdict: { layer: string; cause: string; subject: string }; findings: { cause: string }[] };
  assert.equal(r.code, 1, r.stderr);
  // hostpci0 passes the whole slot 01:00, so the audio function is a target itself, still on snd_hda_intel.
  assert.deepEqual([j.verdict.layer, j.verdict.cause, j.verdict.subject], ['binding', 'host-driver-bound', '0000:01:00.1']);
  assert.ok(j.findings.some((f) => f.cause === 'kernel-not-rebooted'), 'a newer kernel in /boot than the running one');
});

test('a sosreport archive (.tar.gz, .tar.xz) is unpacked into a temporary directory that is removed afterwards', async (t) => {
  const dir = tmpdir(t);
  handMadeSos(dir);
  // A private temporary directory: another test run sharing /tmp must not look like a leftover.
  const privateTmp = path.join(dir, 'tmp');
  fs.mkdirSync(privateTmp);
  const savedTmp = process.env['TMPDIR'];
  process.env['TMPDIR'] = privateTmp;
  t.after(() => {
    if (savedTmp === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = savedTmp;
  });
  assert.equal(os.tmpdir(), privateTmp);
  for (const [name, flags] of [['report.tar.gz', '-czf'], ['report.tar.xz', '-cJf']] as const) {
    if (name.endsWith('.xz') && !findTool('xz')) continue;
    const archive = path.join(dir, name);
    const tar = await run('tar', [flags, archive, '-C', dir, 'sosreport-pve-2024-10-01-abcdefg']);
    assert.equal(tar.code, 0, tar.stderr);
    const { snapshot } = await readSos(archive);
    assert.equal(snapshot.pci.length, 2, name);
    assert.equal(snapshot.host.kernelRelease, '6.8.12-4-pve', name);
  }
  assert.deepEqual(fs.readdirSync(privateTmp), [], 'no unpacked report left behind');
});

test('bad sosreport input: one line, exit 2', async (t) => {
  const dir = tmpdir(t);
  fs.writeFileSync(path.join(dir, 'broken.tar.xz'), Buffer.from('this is not an archive at all\n'.repeat(10)));
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'hello\n');
  fs.mkdirSync(path.join(dir, 'plain-dir'));
  const cases: [string[], RegExp][] = [
    [['check', '--sos', 'missing.tar.xz'], /^vfio-doctor check: missing\.tar\.xz: no such file or directory\n$/],
    [['check', '--sos', 'broken.tar.xz'], /^vfio-doctor check: broken\.tar\.xz: cannot unpack the archive \(.+\)\n$/],
    [['check', '--sos', 'notes.txt'], /^vfio-doctor check: notes\.txt: not a sosreport archive/],
    [['check', '--sos', 'plain-dir'], /^vfio-doctor check: plain-dir: not a sosreport/],
    [['check', '--sos', 'plain-dir', '--root', dir], /--root, --snapshot and --sos exclude each other/],
  ];
  for (const [args, re] of cases) {
    const r = await runCli(args, { cwd: dir });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
  }
});

test('a sosreport made from a fixture host with real lspci output agrees with reading the host tree', async (t) => {
  const lspci = requireTool('lspci', 'pciutils');
  if (typeof lspci !== 'string') return t.skip(lspci.skip);
  const dir = tmpdir(t);
  const tree = await buildHost(HOSTS.intelDesktop);
  t.after(() => fs.rmSync(tree, { recursive: true, force: true }));
  const host = await collectSnapshot({ root: tree });
  const args = ['-A', 'linux-sysfs', '-O', `sysfs.path=${tree}/sys/bus/pci`, '-O', 'hwdb.disable=1'];
  const root = path.join(dir, 'sosreport-fixture');
  write(root, 'sos_commands/pci/lspci_-nnvv', (await run(lspci, ['-nnvv', ...args])).stdout);
  write(root, 'sos_commands/pci/lspci_-tv', (await run(lspci, ['-tv', ...args])).stdout);
  write(root, 'sos_commands/kernel/uname_-a', `Linux fixture ${host.host.kernelRelease} #1 SMP PREEMPT_DYNAMIC x86_64 GNU/Linux\n`);
  for (const f of ['proc/cmdline', 'proc/iomem', 'commands/dmesg']) {
    const src = path.join(tree, f);
    if (fs.existsSync(src)) write(root, f === 'commands/dmesg' ? 'sos_commands/kernel/dmesg' : f, fs.readFileSync(src, 'utf8'));
  }
  const { snapshot: sos } = await readSos(root);
  assert.deepEqual(sos.pci.map((d) => d.address), host.pci.map((d) => d.address).sort());
  for (const d of host.pci) {
    const p = sos.pci.find((x) => x.address === d.address)!;
    assert.equal(p.driver, d.driver, `${d.address} driver`);
    assert.equal(p.iommuGroup, d.iommuGroup, `${d.address} group`);
    assert.deepEqual(p.upstream, d.upstream, `${d.address} bridges`);
  }
  assert.equal(sos.host.cmdline?.raw, host.host.cmdline?.raw);
  const a = (await runCli(['check', '--sos', root, '--json'])).stdout;
  const b = (await runCli(['check', '--root', tree, '--json'])).stdout;
  const layerCause = (s: string) => {
    const v = (parseValidated('report', s) as { verdict: { status: string; layer: string; cause: string } }).verdict;
    return v.status === 'broken' ? `${v.layer}/${v.cause}` : v.status;
  };
  // The report holds less than the tree (no sysfs, no /dev): a failure it finds is the one the tree shows.
  if (layerCause(a) !== 'undetermined') assert.equal(layerCause(a), layerCause(b));
});

test('sos report on this machine: the archive it writes is read with its PCI devices and kernel log', async (t) => {
  const sos = requireTool('sos', 'sosreport');
  if (typeof sos !== 'string') return t.skip(sos.skip);
  if (process.getuid?.() !== 0) {
    if (process.env['CI'] === 'true') throw new Error('CI=true: the sos report test must run as root');
    return t.skip('sos report needs root; skipped');
  }
  const dir = tmpdir(t);
  const r = await run(sos, ['report', '--batch', '-o', 'pci,kernel,boot', '--tmp-dir', dir], { timeoutMs: 600_000 });
  assert.equal(r.code, 0, `sos report failed: ${r.stderr || r.stdout}`);
  const archive = fs.readdirSync(dir).find((n) => /^sosreport-.*\.tar\.(xz|gz|bz2|zst)$/.test(n));
  assert.ok(archive, `no archive in ${dir}: ${fs.readdirSync(dir).join(', ')}`);
  const { snapshot } = await readSos(path.join(dir, archive));
  assert.equal(snapshot.origin.kind, 'sos');
  assert.ok(snapshot.pci.length > 0, 'PCI devices from sos_commands/pci/lspci_-nnvv');
  assert.ok(snapshot.kernelLog !== null && snapshot.kernelLog.totalLines > 0, 'kernel log from sos_commands/kernel/dmesg');
  assert.equal(snapshot.host.kernelRelease, os.release());
  const cli = await runCli(['check', '--sos', path.join(dir, archive), '--json']);
  assert.notEqual(cli.code, 2, cli.stderr);
  assert.equal(parseValidated('report', cli.stdout).host.origin.kind, 'sos');
});
