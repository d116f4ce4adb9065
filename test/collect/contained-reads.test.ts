import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectSnapshot } from '../../src/collect/collect.js';
import { HostFs, OUTSIDE_CAPTURE } from '../../src/collect/host-fs.js';
import { buildHost } from '../fixtures/host-builder.js';
import { intelDesktop } from '../fixtures/hosts.js';
import { repoRoot } from '../helpers/paths.js';
import { findTool } from '../helpers/tools.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { parseValidated } from '../helpers/json-output.js';

function tmp(t: { after: (fn: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-contain-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

function put(root: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

function link(root: string, rel: string, target: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.symlinkSync(target, path.join(root, rel));
}

function recordFor(snap: Snapshot, hostPath: string) {
  return Object.values(snap.sources).find((r) => r.path === hostPath);
}

test('--root: links that leave the capture (absolute or ../) are recorded as pointing outside and not followed', async (t) => {
  const outside = tmp(t);
  const root = path.join(tmp(t), 'capture');
  fs.mkdirSync(root);
  put(outside, 'cmdline', 'BOOT_IMAGE=/vmlinuz OUTSIDE_SECRET intel_iommu=on\n');
  put(outside, 'os-release', 'NAME="OUTSIDE_SECRET"\n');
  put(outside, 'libvirt/qemu/leak.xml', "<domain type='kvm'><name>OUTSIDE_SECRET_VM</name></domain>\n");
  put(outside, 'modprobe.d/vfio.conf', 'options vfio-pci ids=dead:beef # OUTSIDE_SECRET\n');
  link(root, 'proc/cmdline', path.join(outside, 'cmdline'));
  link(root, 'etc/os-release', path.join(outside, 'os-release'));
  link(root, 'etc/libvirt', path.join(outside, 'libvirt'));
  // Relative, climbing above the capture's top.
  link(root, 'etc/modprobe.d', path.relative(path.join(root, 'etc'), path.join(outside, 'modprobe.d')));
  // A relative link that stays inside is followed, as on the host.
  put(root, 'usr/lib/os-release-real', 'NAME="Inside"\n');
  link(root, 'etc/os-release-inside', '../usr/lib/os-release-real');

  const snap = await collectSnapshot({ root });
  assert.doesNotMatch(JSON.stringify(snap), /OUTSIDE_SECRET/);
  assert.equal(snap.host.cmdline, null);
  assert.equal(recordFor(snap, '/proc/cmdline')?.message, OUTSIDE_CAPTURE);

  const hfs = new HostFs(root);
  for (const p of ['/proc/cmdline', '/etc/os-release', '/etc/libvirt/qemu/leak.xml', '/etc/modprobe.d/vfio.conf']) {
    const r = hfs.readText(p);
    assert.equal(r.ok, false, p);
    assert.equal(r.record.message, OUTSIDE_CAPTURE, p);
  }
  assert.equal(hfs.readDir('/etc/libvirt/qemu').ok, false);
  assert.equal(hfs.exists('/etc/libvirt/qemu/leak.xml'), false);
  assert.equal(hfs.isDir('/etc/modprobe.d'), false);
  const inside = hfs.readText('/etc/os-release-inside');
  assert.equal(inside.ok && inside.value, 'NAME="Inside"\n');
});

test('--root: the relative links of a real sysfs layout are still followed', async (t) => {
  const root = await buildHost(intelDesktop, path.join(tmp(t), 'host'));
  const snap = await collectSnapshot({ root });
  assert.ok(snap.pci.length > 0);
  assert.ok(snap.pci.some((d) => d.driver !== null));
  assert.ok(snap.pci.every((d) => d.iommuGroup !== null));
  assert.ok(!Object.values(snap.sources).some((r) => r.message === OUTSIDE_CAPTURE));
});

test('--root: FIFOs where files belong are refused at once, never waited on', { timeout: 60_000 }, async (t) => {
  const root = tmp(t);
  for (const rel of ['proc/cmdline', 'etc/modprobe.d/vfio.conf', 'var/log/kern.log', 'etc/os-release', 'var/log/libvirt/qemu/vm.log']) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    const r = spawnSync('mkfifo', [path.join(root, rel)]);
    assert.equal(r.status, 0);
  }
  const snap = await collectSnapshot({ root });
  assert.equal(snap.host.cmdline, null);
  assert.match(recordFor(snap, '/proc/cmdline')?.message ?? '', /not a regular file \(a FIFO\)/);
  assert.match(recordFor(snap, '/etc/modprobe.d/vfio.conf')?.message ?? '', /a FIFO/);
  assert.match(JSON.stringify(snap.sources['kernel-log']), /kern\.log: not a regular file \(a FIFO\)/);
});

test('--root: denied directories (modprobe.d, an IOMMU group) are listed as not checked, never as empty', (t) => {
  const setpriv = findTool('setpriv');
  if (!setpriv || process.getuid?.() !== 0) return t.skip('needs root and setpriv (util-linux) to read as an unprivileged user');
  const top = tmp(t);
  fs.chmodSync(top, 0o755);
  const root = path.join(top, 'host');
  fs.mkdirSync(root);
  put(root, 'etc/modprobe.d/vfio.conf', 'options vfio-pci ids=10de:1e87\n');
  fs.mkdirSync(path.join(root, 'sys/kernel/iommu_groups/7/devices'), { recursive: true });
  for (const [dir, mode] of [
    ['', 0o755],
    ['etc', 0o755],
    ['sys', 0o755],
    ['sys/kernel', 0o755],
    ['sys/kernel/iommu_groups', 0o755],
    ['sys/kernel/iommu_groups/7', 0o755],
    ['etc/modprobe.d', 0o700],
    ['sys/kernel/iommu_groups/7/devices', 0o700],
  ] as const) fs.chmodSync(path.join(root, dir), mode);
  const r = spawnSync(setpriv, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, path.join(repoRoot, 'dist', 'vfio-doctor.mjs'), 'snapshot', '--root', root], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const snap = parseValidated('snapshot', r.stdout);
  assert.equal(snap.sources['config-dir:/etc/modprobe.d']?.status, 'denied');
  assert.equal(snap.sources['iommu-group:7']?.status, 'denied');
  assert.equal(snap.sources['iommu-group:7']?.path, '/sys/kernel/iommu_groups/7/devices');

  const check = spawnSync(setpriv, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, path.join(repoRoot, 'dist', 'vfio-doctor.mjs'), 'check', '--root', root], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const couldNot = check.stdout.slice(check.stdout.indexOf('Could not check'));
  assert.match(couldNot, /config-dir:\/etc\/modprobe\.d/);
  assert.match(couldNot, /iommu-group:7/);
});

// A directory under one already resolved is taken as the parent's real path plus its name only when it
// is a plain directory; a link (inside or leaving the capture), a file or a missing entry is resolved
// by realpath(3) as before. Reading through a directory must answer the same either way: after its
// parent was resolved (the shortcut) and on a fresh HostFs (realpath(3) of the whole path).
test('--root: directories found under a resolved one answer as fully resolved ones do', (t) => {
  const root = tmp(t);
  const outside = tmp(t);
  const groups = path.join(root, 'sys/kernel/iommu_groups');
  fs.mkdirSync(path.join(groups, '0/devices/0000:01:00.0'), { recursive: true });
  fs.writeFileSync(path.join(groups, '0/type'), 'DMA\n');
  fs.symlinkSync('0', path.join(groups, '1'));
  fs.mkdirSync(path.join(outside, 'devices'));
  fs.writeFileSync(path.join(outside, 'type'), 'identity\n');
  fs.symlinkSync(outside, path.join(groups, '2'));
  fs.writeFileSync(path.join(groups, '3'), 'a file\n');
  fs.mkdirSync(path.join(groups, '4'));
  fs.symlinkSync(path.relative(path.join(groups, '4'), outside), path.join(groups, '4/devices'));
  fs.symlinkSync('missing', path.join(groups, '6'));
  const cases: { dir: string; type: string | null; devices: string }[] = [
    { dir: '0', type: 'DMA', devices: 'read' },
    { dir: '1', type: 'DMA', devices: 'read' },
    { dir: '2', type: null, devices: 'error' },
    { dir: '3', type: null, devices: 'absent' },
    { dir: '4', type: null, devices: 'error' },
    { dir: '5', type: null, devices: 'absent' },
    { dir: '6', type: null, devices: 'absent' },
  ];
  const shared = new HostFs(root);
  assert.equal(shared.readDir('/sys/kernel/iommu_groups').ok, true);
  for (const c of cases) {
    const base = `/sys/kernel/iommu_groups/${c.dir}`;
    const fresh = new HostFs(root);
    const answers = (hfs: HostFs) => ({ type: hfs.readAttr(`${base}/type`), devices: hfs.readDir(`${base}/devices`) });
    const viaParent = answers(shared);
    assert.deepEqual(viaParent, answers(fresh), c.dir);
    assert.equal(viaParent.type, c.type, `${c.dir}/type`);
    assert.equal(viaParent.devices.record.status, c.devices, `${c.dir}/devices`);
    if (c.devices === 'error') assert.equal(viaParent.devices.record.message, OUTSIDE_CAPTURE, c.dir);
  }
});
