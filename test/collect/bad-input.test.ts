import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildHost } from '../fixtures/host-builder.js';
import { HOSTS } from '../fixtures/hosts.js';
import { variant, fn } from '../helpers/scenario.js';
import { collectSnapshot } from '../../src/collect/collect.js';
import { analyze } from '../../src/analyze/analyze.js';
import { run } from '../helpers/tools.js';
import { parseValidated } from '../helpers/json-output.js';

// Broken input on the inspected host: every case ends as a source status, never as a crash.

async function build(t: { after: (fn: () => void) => void }, change: Parameters<typeof variant>[1]): Promise<string> {
  const root = await buildHost(variant(HOSTS.intelDesktop, change));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  return root;
}

function deviceDir(root: string, addr: string): string {
  return fs.realpathSync(path.join(root, 'sys/bus/pci/devices', addr));
}

test('an empty and a truncated config file are recorded, the device kept', async (t) => {
  const root = await build(t, (h) => {
    fn(h, '01.0/00.0').config = { raw: new Uint8Array(0) };
    fn(h, '01.0/00.1').config = { truncate: 20 };
  });
  const s = await collectSnapshot({ root });
  const gpu = s.pci.find((d) => d.address === '0000:01:00.0')!;
  const audio = s.pci.find((d) => d.address === '0000:01:00.1')!;
  assert.equal(gpu.config, null);
  assert.deepEqual([gpu.configStatus.status, gpu.configStatus.message], ['error', 'config space file is empty']);
  assert.equal(gpu.vendorId, '10de', 'ids still come from the sysfs attributes');
  assert.equal(audio.config, null);
  assert.match(audio.configStatus.message ?? '', /cut short: 20 bytes/);
  assert.equal(s.sources['pci:0000:01:00.0:config']?.status, 'error');
  analyze(s);
});

test('a dangling device link, a symlink loop and an unreadable file', async (t) => {
  const root = await build(t, () => {});
  const devices = path.join(root, 'sys/bus/pci/devices');
  fs.symlinkSync('../../../devices/pci0000:00/0000:00:09.0', path.join(devices, '0000:00:09.0'));
  fs.symlinkSync('0000:00:0a.0', path.join(devices, '0000:00:0a.1'));
  fs.symlinkSync('0000:00:0a.1', path.join(devices, '0000:00:0a.0'));
  const cmdline = path.join(root, 'proc/cmdline');
  fs.chmodSync(cmdline, 0o000);
  const gpuDir = deviceDir(root, '0000:01:00.0');
  fs.rmSync(path.join(gpuDir, 'iommu_group'));
  fs.symlinkSync('../../../../kernel/iommu_groups/999', path.join(gpuDir, 'iommu_group'));

  const s = await collectSnapshot({ root });
  assert.equal(s.sources['pci:0000:00:09.0']?.status, 'absent');
  assert.match(s.sources['pci:0000:00:09.0']?.message ?? '', /dangling/);
  assert.equal(s.sources['pci:0000:00:0a.0']?.status, 'error');
  assert.match(s.sources['pci:0000:00:0a.0']?.message ?? '', /loop/);
  assert.ok(!s.pci.some((d) => d.address === '0000:00:09.0' || d.address === '0000:00:0a.0'));
  assert.ok(s.pci.some((d) => d.address === '0000:01:00.0'), 'the other devices are still read');
  // A dangling iommu_group link still names its group, as the kernel's own link would.
  assert.equal(s.pci.find((d) => d.address === '0000:01:00.0')?.iommuGroup, 999);
  if (process.geteuid?.() === 0) {
    // root reads a 0000 file anyway; the denial is shown by a non-root run below.
    assert.equal(s.sources['proc/cmdline']?.status, 'read');
  } else {
    assert.equal(s.sources['proc/cmdline']?.status, 'denied');
  }
});

test('an unreadable file as a non-root user is "denied" with the reason', { skip: process.geteuid?.() !== 0 ? 'needs root to switch users' : false }, async (t) => {
  const root = await build(t, () => {});
  fs.chmodSync(path.join(root, 'proc/cmdline'), 0o600);
  fs.chmodSync(root, 0o755);
  const cli = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../dist/vfio-doctor.mjs');
  const r = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cli, 'snapshot', '--root', root]);
  assert.equal(r.code, 0, r.stderr);
  const s = parseValidated('snapshot', r.stdout);
  assert.equal(s.sources['proc/cmdline'].status, 'denied');
  assert.match(s.sources['proc/cmdline'].message ?? '', /permission denied/);
  assert.equal(s.host.cmdline, null);
});

test('a kernel log of binary garbage with a 10 MB line', async (t) => {
  const root = await build(t, (h) => void (h.logs = { dmesg: null }));
  const garbage = Buffer.alloc(12 << 20);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 2654435761) >>> 24;
  garbage.fill(0x41, 1 << 20, 11 << 20); // one 10 MB line without a newline
  fs.mkdirSync(path.join(root, 'commands'), { recursive: true });
  fs.writeFileSync(path.join(root, 'commands/dmesg'), Buffer.concat([Buffer.from('[    0.000000] DMAR: IOMMU enabled\n'), garbage, Buffer.from('\n[    1.000000] vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)\n')]));
  const before = process.memoryUsage().rss;
  const s = await collectSnapshot({ root });
  const log = s.kernelLog!;
  assert.equal(s.sources['kernel-log']?.status, 'read');
  assert.ok(log.truncatedLines >= 1, 'the 10 MB line is cut');
  assert.ok(log.binaryLines >= 1, 'binary lines are counted');
  assert.ok(log.lines.every((l) => l.text.length <= 8192), 'no kept line is huge');
  assert.ok(log.lines.some((l) => /vfio-pci 0000:01:00\.0: enabling device/.test(l.text)), 'the line after the garbage is found');
  assert.ok(process.memoryUsage().rss - before < 64 << 20, 'memory stays bounded');
  analyze(s);
});
