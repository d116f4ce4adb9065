import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { runCli } from '../helpers/run-cli.js';
import { overlongLines, words } from '../helpers/text-width.js';
import { buildHost } from '../fixtures/host-builder.js';
import { intelDesktop } from '../fixtures/hosts.js';
import type { PreflightReport } from '../../src/preflight/types.js';
import { GPU, RUNNING, imageWith, twoKernelHost, writeImage } from './support/hosts.js';
import { parseValidated } from '../helpers/json-output.js';

const VFIO = ['vfio', 'vfio_iommu_type1', 'vfio_pci'];

async function preflight(root: string, ...args: string[]): Promise<{ code: number; report: PreflightReport; stderr: string }> {
  const r = await runCli(['preflight', '--root', root, '--json', ...args]);
  assert.equal(r.stderr, '', r.stderr);
  return { code: r.code, report: parseValidated('preflight', r.stdout) as PreflightReport, stderr: r.stderr };
}

const causes = (r: PreflightReport, severity = 'fail') => r.findings.filter((f) => f.severity === severity).map((f) => f.cause);

test('vfio_virqfd in the initramfs configuration: a 6.12 kernel fails with module-renamed', async () => {
  const root = await twoKernelHost({ next: { release: '6.12.9-amd64' }, spec: { initramfsModules: [...VFIO, 'vfio_virqfd'] } });
  const { code, report } = await preflight(root);
  assert.equal(report.kernel, '6.12.9-amd64', 'the newest non-running kernel is the default');
  assert.equal(code, 1);
  assert.deepEqual(causes(report), ['module-renamed']);
  const f = report.findings.find((x) => x.cause === 'module-renamed')!;
  assert.equal(f.layer, 'modules');
  assert.ok(f.evidence.some((e) => e.source === '/etc/initramfs-tools/modules' && e.text === 'vfio_virqfd'));
  assert.ok(f.commands.includes('update-initramfs -u -k 6.12.9-amd64'));
});

test('vfio_virqfd in the initramfs configuration: a 6.1 kernel still has the module and passes', async () => {
  const root = await twoKernelHost({ next: { release: '6.1.0-13-amd64' }, spec: { initramfsModules: [...VFIO, 'vfio_virqfd'] } });
  const { code, report } = await preflight(root, '--kernel', '6.1.0-13-amd64');
  assert.deepEqual(causes(report), []);
  assert.deepEqual(causes(report, 'warn'), []);
  assert.equal(report.verdict, 'pass');
  assert.equal(code, 0);
  assert.ok(report.targets.every((t) => t.driver === 'vfio-pci' && t.outcome === 'works'), JSON.stringify(report.targets));
});

test('mini-story 1: nouveau in the new initramfs, vfio modules not: fails naming the target and the fix', async () => {
  const root = await twoKernelHost({ next: { release: '6.12.9-amd64', initramfs: { modules: ['nvme', 'ahci', 'nouveau'] } } });
  // Each fact on one line, as a terminal wide enough shows it; at the default 80 columns, nothing wider.
  const r = await runCli(['preflight', '--root', root], { env: { COLUMNS: '300' } });
  const at80 = await runCli(['preflight', '--root', root]);
  assert.deepEqual(overlongLines(at80.stdout, 80), []);
  assert.equal(words(at80.stdout), words(r.stdout));
  assert.equal(r.code, 1);
  assert.match(r.stdout, new RegExp(`${GPU}.*\\n\\s+→ nouveau\\s+FAILS`));
  // The finding as every command prints it: title, then layer / cause (id).
  assert.match(r.stdout, /FAIL 0000:01:00\.0 .*nouveau but no vfio-pci.*\n\s+modules \/ initramfs-missing-vfio \(preflight\.initramfs-race\) — 0000:01:00\.0\n/);
  assert.match(r.stdout, /update-initramfs -u -k 6\.12\.9-amd64/);
  const { report } = await preflight(root);
  const f = report.findings.find((x) => x.cause === 'initramfs-missing-vfio')!;
  assert.equal(f.subject, GPU);
  assert.equal(f.severity, 'fail');
  assert.equal(report.targets.find((t) => t.address === GPU)!.driver, 'nouveau');
});

test('mini-story 1 with no VFIO in the host configuration: the fix adds the modules and the softdep', async () => {
  const root = await twoKernelHost({
    next: { release: '6.12.9-amd64', initramfs: { modules: ['nvme', 'ahci', 'nouveau'] } },
    spec: { initramfsModules: [], modprobe: { 'vfio.conf': 'options vfio-pci ids=10de:1b80,10de:10f0\n' } },
  });
  const { code, report } = await preflight(root);
  assert.equal(code, 1);
  const f = report.findings.find((x) => x.cause === 'initramfs-missing-vfio')!;
  assert.deepEqual(f.commands, [
    "printf '%s\\n' vfio vfio_iommu_type1 vfio_pci >> /etc/initramfs-tools/modules",
    "echo 'softdep nouveau pre: vfio-pci' >> /etc/modprobe.d/vfio.conf",
    'update-initramfs -u -k 6.12.9-amd64',
  ]);
});

test('nouveau in the image with vfio-pci ids and a softdep inside the image: vfio-pci wins', async () => {
  const next = '6.12.9-amd64';
  const root = await twoKernelHost({ next: { release: next } });
  writeImage(root, next, imageWith(next, { 'etc/modprobe.d/vfio.conf': 'options vfio-pci ids=10de:1b80,10de:10f0\nsoftdep nouveau pre: vfio-pci\n', 'conf/modules': 'vfio_pci\n' }, ['nouveau', 'vfio', 'vfio_iommu_type1', 'vfio-pci', 'vfio-pci-core']));
  const { code, report } = await preflight(root);
  assert.equal(code, 0, JSON.stringify(report.findings));
  const gpu = report.targets.find((t) => t.address === GPU)!;
  assert.equal(gpu.driver, 'vfio-pci');
  assert.match(gpu.why, /softdep nouveau pre: vfio-pci inside the image/);
});

test('vfio-pci in the image but without ids or ordering: still the host driver', async () => {
  const next = '6.12.9-amd64';
  const root = await twoKernelHost({ next: { release: next } });
  writeImage(root, next, imageWith(next, {}, ['nouveau', 'vfio', 'vfio_iommu_type1', 'vfio-pci', 'vfio-pci-core']));
  const { code, report } = await preflight(root);
  assert.equal(code, 1);
  assert.deepEqual(causes(report), ['initramfs-missing-vfio']);
  assert.match(report.findings[0]!.title, /nothing putting vfio-pci ahead/);
});

test('missing intel_iommu=on for a kernel built with the Intel IOMMU off by default fails', async () => {
  const root = await twoKernelHost({ next: { release: '6.12.9-amd64', config: { CONFIG_INTEL_IOMMU_DEFAULT_ON: 'n' } }, spec: { boot: { grubDefault: 'quiet splash iommu=pt' } } });
  const { code, report } = await preflight(root);
  assert.equal(code, 1);
  const f = report.findings.find((x) => x.cause === 'iommu-disabled-cmdline')!;
  assert.equal(f.layer, 'kernel');
  assert.ok(f.evidence.some((e) => e.source === '/boot/config-6.12.9-amd64'));
  assert.ok(f.commands.some((c) => c.includes('intel_iommu=on')));
  assert.equal(report.cmdline.raw, 'quiet splash iommu=pt');
});

test('the same command line passes on a kernel with the Intel IOMMU on by default', async () => {
  const root = await twoKernelHost({ next: { release: '6.12.9-amd64', config: { CONFIG_INTEL_IOMMU_DEFAULT_ON: 'y' } }, spec: { boot: { grubDefault: 'quiet splash iommu=pt' } } });
  const { code, report } = await preflight(root);
  assert.deepEqual(causes(report), []);
  assert.equal(code, 0);
});

// Debian's 6.1 and 6.12 kernels: the Kconfig choice picks "on except the integrated GPU", leaving
// CONFIG_INTEL_IOMMU_DEFAULT_ON unset. Booted under QEMU they enable DMAR without intel_iommu=on.
test('a kernel built with DEFAULT_ON_INTGPU_OFF (Debian) needs no intel_iommu=on', async () => {
  const root = await twoKernelHost({
    next: { release: '6.12.9-amd64', config: { CONFIG_INTEL_IOMMU_DEFAULT_ON: 'n', CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF: 'y' } },
    spec: { boot: { grubDefault: 'quiet splash iommu=pt' } },
  });
  const { code, report } = await preflight(root);
  assert.deepEqual(causes(report), []);
  assert.equal(code, 0);
});

test('grub.cfg menuentry of the new version is the command line that counts', async () => {
  const next = '6.12.9-amd64';
  const root = await twoKernelHost({ next: { release: next, config: { CONFIG_INTEL_IOMMU_DEFAULT_ON: 'n' } } });
  fs.writeFileSync(`${root}/boot/grub/grub.cfg`, `menuentry 'Ubuntu' {\n\tlinux\t/boot/vmlinuz-${RUNNING} root=UUID=x ro intel_iommu=on\n}\nmenuentry 'Ubuntu, ${next}' {\n\tlinux\t/boot/vmlinuz-${next} root=UUID=x ro quiet\n\tinitrd\t/boot/initrd.img-${next}\n}\n`);
  const { code, report } = await preflight(root);
  assert.equal(code, 1);
  assert.equal(report.cmdline.source, '/boot/grub/grub.cfg:5');
  assert.deepEqual(causes(report), ['iommu-disabled-cmdline']);
});

test('vfio-pci built into the new kernel ignores modprobe.d ids', async () => {
  const root = await twoKernelHost({ next: { release: '6.12.9-amd64', config: { CONFIG_VFIO_PCI: 'y', CONFIG_VFIO_PCI_CORE: 'y', CONFIG_VFIO: 'y', CONFIG_VFIO_IOMMU_TYPE1: 'y' } } });
  const { code, report } = await preflight(root);
  assert.equal(code, 1);
  assert.ok(causes(report).includes('vfio-builtin-options-ignored'), JSON.stringify(report.findings));
});

test('only the running kernel installed: says so and exits 0', async () => {
  const root = await buildHost(intelDesktop);
  const r = await runCli(['preflight', '--root', root]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /no kernel other than the running one \(6\.8\.0-45-generic\) is installed/);
});

test('--kernel of a kernel that is not installed is an input error', async () => {
  const root = await buildHost(intelDesktop);
  const r = await runCli(['preflight', '--root', root, '--kernel', '9.9.9']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('bad usage exits 2', async () => {
  assert.equal((await runCli(['preflight', '--device', 'nonsense'])).code, 2);
  assert.equal((await runCli(['preflight', '--ids', '10de'])).code, 2);
  assert.equal((await runCli(['preflight', '--bogus'])).code, 2);
});

const BROKEN: [string, (valid: Buffer) => Buffer, RegExp][] = [
  ['corrupt', (v) => Buffer.concat([v.subarray(0, 20), Buffer.alloc(v.length - 20, 0x55)]), /corrupt|invalid|not valid|damaged/i],
  ['truncated', (v) => v.subarray(0, Math.floor(v.length / 2)), /truncated|ends|unexpected end/i],
  ['unknown compression', () => Buffer.from('this is not an initramfs at all, just text\n'.repeat(20)), /compression|not an initramfs|unknown/i],
  ['empty', () => Buffer.alloc(0), /empty/i],
];

for (const [name, damage, message] of BROKEN) {
  test(`a ${name} image: exit 2, one line, no stack`, async () => {
    const next = '6.12.9-amd64';
    const root = await twoKernelHost({ next: { release: next } });
    const valid = fs.readFileSync(`${root}/boot/initrd.img-${next}`);
    writeImage(root, next, damage(valid.subarray(valid.indexOf(Buffer.from([0x1f, 0x8b])))));
    const r = await runCli(['preflight', '--root', root]);
    assert.equal(r.code, 2, r.stdout);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, message);
    assert.doesNotMatch(r.stderr, /internal error|at .*\.js/);
  });
}

test('a missing image (default and --initramfs): exit 2, one line', async () => {
  const next = '6.12.9-amd64';
  const root = await twoKernelHost({ next: { release: next, initramfs: false } });
  const r = await runCli(['preflight', '--root', root]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^vfio-doctor preflight: no initramfs image for kernel 6\.12\.9-amd64/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  const r2 = await runCli(['preflight', '--root', root, '--initramfs', `${root}/boot/nope.img`]);
  assert.equal(r2.code, 2);
  assert.equal(r2.stderr.trim().split('\n').length, 1);
  assert.match(r2.stderr, /nope\.img/);
});
