// SR-IOV virtual functions read 0xffff in their vendor and device id registers by design (issue 14 item
// 7). Collection takes their ids from sysfs, or from the PF's SR-IOV capability when a capture lacks the
// id files, decodes their capabilities, and never calls them dead.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildHost, type HostSpec } from '../fixtures/host-builder.js';
import { HOSTS } from '../fixtures/hosts.js';
import { collectSnapshot } from '../../src/collect/collect.js';
import { analyze } from '../../src/analyze/analyze.js';

const hardwareIds: HostSpec = {
  ...HOSTS.sriovServer,
  pci: HOSTS.sriovServer.pci!.map((r) => ({
    ...r,
    devices: r.devices.map((rp) => ({ ...rp, children: rp.children?.map((pf) => (pf.sriov ? { ...pf, sriov: { ...pf.sriov, vfConfigIds: 'hardware' as const } } : pf)) })),
  })),
};
const PF = '0000:18:00.0';
const VFS = ['0000:18:02.0', '0000:18:02.1', '0000:18:02.2', '0000:18:02.3'];

async function built(t: { after: (fn: () => void) => void }): Promise<string> {
  const root = await buildHost(hardwareIds);
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  return root;
}

test('VFs whose id registers read 0xffff: ids from sysfs, capabilities decoded, no "does not respond"', async (t) => {
  const root = await built(t);
  const snap = await collectSnapshot({ root });
  const pf = snap.pci.find((d) => d.address === PF)!;
  assert.equal(pf.config?.sriov?.vfDeviceId, '154c');
  assert.deepEqual(pf.virtfns, VFS);
  for (const a of VFS) {
    const vf = snap.pci.find((d) => d.address === a)!;
    assert.equal(`${vf.vendorId}:${vf.deviceId}`, '8086:154c', a);
    assert.equal(vf.physfn, PF);
    assert.equal(vf.config?.vendorId, 'ffff', `${a}: the register itself reads 0xffff`);
    assert.deepEqual(vf.config?.problems, [], a);
    assert.equal(vf.config?.express?.portType, 'endpoint', a);
    assert.equal(vf.config?.express?.flr, true, a);
    assert.equal(vf.config?.msix, true, a);
  }
  const text = JSON.stringify(analyze(snap, { devices: VFS.slice(0, 2) }).findings);
  assert.doesNotMatch(text, /does not respond|all 0xff|ffff:ffff/);
});

test('a capture without the VFs\' vendor/device files: the ids come from the PF (its vendor, VF Device ID at +0x1a)', async (t) => {
  const root = await built(t);
  for (const a of VFS) {
    const dir = fs.realpathSync(path.join(root, 'sys/bus/pci/devices', a));
    fs.rmSync(path.join(dir, 'vendor'));
    fs.rmSync(path.join(dir, 'device'));
  }
  const snap = await collectSnapshot({ root });
  for (const a of VFS) {
    const vf = snap.pci.find((d) => d.address === a)!;
    assert.equal(`${vf.vendorId}:${vf.deviceId}`, '8086:154c', a);
  }
});
