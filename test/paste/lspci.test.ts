// The lspci recogniser against real pciutils output: title lines of every option combination, config
// space read back from -vv (checked against the binary decoder on the same bytes), and whole fixture
// hosts listed by lspci compared with what the collector reads from the same tree.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { parseLspciTitle } from '../../src/paste/recognisers/lspci.js';
import { decodeConfigSpace } from '../../src/pci/config/index.js';
import { collectSnapshot } from '../../src/collect/collect.js';
import { buildHost } from '../fixtures/host-builder.js';
import { HOSTS } from '../fixtures/hosts.js';
import { requireTool, run } from '../helpers/tools.js';
import { amdRenoirGpu, connectx5Pf, intelEhci, intelRootPort, nvidiaGpu, plxDownstreamPort, tiCardbus } from '../pci/config-images.js';
import { LSPCI_SKIP, lspciAvailable, runLspci } from '../pci/lspci-reference.js';
import { recognise, snapshotOf } from './helpers.js';

const TITLES: [string, string, Record<string, string | null>][] = [
  ['-nn', '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [GeForce RTX 2080] [10de:1e87] (rev a1)', { address: '0000:01:00.0', classCode: '0300', vendorId: '10de', deviceId: '1e87', revision: 'a1', name: 'NVIDIA Corporation TU104 [GeForce RTX 2080]' }],
  ['-nn -D', '0000:44:00.3 Ethernet controller [0200]: Intel Corporation Ethernet Controller X710 for 10GbE SFP+ [8086:1572] (rev 02)', { address: '0000:44:00.3', classCode: '0200', vendorId: '8086', deviceId: '1572' }],
  ['-nn prog-if', '00:14.0 USB controller [0c03]: Intel Corporation Cannon Lake PCH USB 3.1 xHCI Host Controller [8086:a36d] (rev 10) (prog-if 30 [XHCI])', { classCode: '0c03', progIf: '30', vendorId: '8086', deviceId: 'a36d', revision: '10' }],
  ['-nn no name', '00:00.0 Host bridge [0600]: Intel Corporation Device [8086:0d57]', { classCode: '0600', vendorId: '8086', deviceId: '0d57' }],
  ['-n', '01:00.0 0300: 10de:1e87 (rev a1)', { classCode: '0300', vendorId: '10de', deviceId: '1e87', revision: 'a1' }],
  ['plain', '01:00.1 Audio device: NVIDIA Corporation TU104 HD Audio Controller (rev a1)', { classCode: '0403', vendorId: null, className: 'Audio device' }],
  ['upper-case domain', '0000:AF:04.7 Ethernet controller [0200]: Intel Corporation Ethernet Virtual Function 700 Series [8086:154c] (rev 02)', { address: '0000:af:04.7' }],
];

test('lspci titles: every option combination', () => {
  for (const [name, line, want] of TITLES) {
    const t = parseLspciTitle(line);
    assert.ok(t, `${name}: not recognised`);
    for (const [k, v] of Object.entries(want)) assert.deepEqual((t as unknown as Record<string, unknown>)[k], v, `${name}: ${k}`);
  }
  for (const bad of ['0000:86:00.0  0000:86:00.1', '01:00.0 is what I pass through: the GPU', '[    1.0] pci 0000:00:00.0: [8086:3e0f] type 00 class 0x060000']) {
    assert.equal(parseLspciTitle(bad), null, bad);
  }
});

test('lspci -nnk: drivers, modules and subsystem; a device without a driver line has none', () => {
  const r = recognise(
    [
      '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [GeForce RTX 2080] [10de:1e87] (rev a1)',
      '\tSubsystem: Micro-Star International Co., Ltd. [MSI] Device [1462:3771]',
      '\tKernel driver in use: nvidia',
      '\tKernel modules: nvidiafb, nouveau, nvidia_drm, nvidia',
      '01:00.1 Audio device [0403]: NVIDIA Corporation TU104 HD Audio Controller [10de:10f8] (rev a1)',
      '\tSubsystem: Micro-Star International Co., Ltd. [MSI] Device [1462:3771]',
      '\tKernel modules: snd_hda_intel',
    ].join('\n'),
  );
  assert.deepEqual(r.kinds, ['lspci']);
  const gpu = r.facts.devices.get('0000:01:00.0')!;
  assert.equal(gpu.driver?.name, 'nvidia');
  assert.deepEqual(gpu.modules, ['nvidiafb', 'nouveau', 'nvidia_drm', 'nvidia']);
  assert.equal(gpu.subsystemVendorId, '1462');
  assert.equal(r.facts.devices.get('0000:01:00.1')!.driver?.name, null, 'listing shows drivers, none for 01:00.1');
});

test('lspci -nn without -k says nothing about drivers, and lspci without IOMMU group lines nothing about the IOMMU', async () => {
  const snap = await snapshotOf('$ lspci -nn\n01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [GeForce RTX 2080] [10de:1e87] (rev a1)\n');
  assert.equal(snap.pci[0]!.driver, null);
  assert.equal(snap.sources['pci:0000:01:00.0:driver']!.status, 'absent');
  assert.equal(snap.iommu.groups, null, 'no group listing: groups unknown, not empty');
  assert.notEqual(snap.sources['sys/bus/pci/devices']!.status, 'read', 'a paste is not a sysfs read (that would make missing groups mean "IOMMU off")');
});

test('lspci -v and -vv: the IOMMU group on the Flags line and on its own line', () => {
  const r = recognise(
    [
      '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [GeForce RTX 2080] [10de:1e87] (rev a1) (prog-if 00 [VGA controller])',
      '\tFlags: bus master, fast devsel, latency 0, IRQ 16, IOMMU group 1',
      '',
      '01:00.1 Audio device [0403]: NVIDIA Corporation TU104 HD Audio Controller [10de:10f8] (rev a1)',
      '\tControl: I/O- Mem+ BusMaster- SpecCycle- MemWINV- VGASnoop- ParErr- Stepping- SERR- FastB2B- DisINTx-',
      '\tIOMMU group: 1',
    ].join('\n'),
  );
  assert.deepEqual([...r.facts.groups.get(1)!].sort(), ['0000:01:00.0', '0000:01:00.1']);
  assert.equal(r.facts.devices.get('0000:01:00.0')!.classCode, '030000');
});

test('lspci stderr noise inside a listing is understood', () => {
  const r = recognise('lspci: Unable to load libkmod resources: error -2\n00:00.0 Host bridge [0600]: Intel Corporation Device [8086:0d57]\n');
  assert.deepEqual(r.notUnderstood, []);
});

const IMAGES: [string, () => Uint8Array][] = [
  ['NVIDIA GPU', nvidiaGpu],
  ['Intel root port with ACS', intelRootPort],
  ['PLX downstream port', plxDownstreamPort],
  ['ConnectX-5 PF with SR-IOV and ARI', connectx5Pf],
  ['AMD Renoir iGPU', amdRenoirGpu],
  ['Intel EHCI (conventional PCI)', intelEhci],
  ['TI CardBus bridge', () => tiCardbus()],
];

test('lspci -vv read back equals the binary decoder on the same config space', (t) => {
  if (!lspciAvailable()) return t.skip(LSPCI_SKIP);
  for (const [name, image] of IMAGES) {
    const bytes = image();
    const want = decodeConfigSpace(bytes);
    const out = runLspci(bytes).output;
    const r = recognise(out);
    const d = [...r.facts.devices.values()][0]!;
    const got = d.config!;
    assert.ok(got, `${name}: no config read`);
    assert.deepEqual(got.capabilities?.map((c) => [c.id, c.offset]), want.capabilities?.map((c) => [c.id, c.offset]), `${name} capabilities`);
    assert.deepEqual(got.extendedCapabilities?.map((c) => [c.id, c.offset, c.version]) ?? [], want.extendedCapabilities?.map((c) => [c.id, c.offset, c.version]) ?? [], `${name} extended capabilities`);
    assert.equal(got.express?.portType ?? null, want.express?.portType ?? null, `${name} port type`);
    assert.equal(got.express?.flr ?? null, want.express?.flr ?? null, `${name} FLR`);
    assert.equal(got.express?.version ?? null, want.express?.version ?? null, `${name} Express version`);
    assert.deepEqual(got.pm, want.pm, `${name} PM`);
    assert.deepEqual(got.af, want.af, `${name} AF`);
    assert.deepEqual(got.acs?.cap ?? null, want.acs?.cap ?? null, `${name} ACS capability`);
    assert.deepEqual(got.acs?.ctrl ?? null, want.acs?.ctrl ?? null, `${name} ACS control`);
    assert.deepEqual(got.sriov, want.sriov, `${name} SR-IOV`);
    for (const k of ['ari', 'ats', 'pri', 'pasid', 'aer', 'resizableBar', 'msi', 'msix'] as const) assert.equal(got[k], want[k], `${name} ${k}`);
  }
});

for (const [name, spec] of Object.entries(HOSTS)) {
  test(`lspci of fixture host "${name}", pasted, agrees with the collector on the same tree`, async (t) => {
    const lspciPath = requireTool('lspci', 'pciutils');
    if (typeof lspciPath !== 'string') return t.skip(lspciPath.skip);
    const root = await buildHost(spec);
    t.after(() => fs.rmSync(root, { recursive: true, force: true }));
    const collected = await collectSnapshot({ root });
    const args = ['-A', 'linux-sysfs', '-O', `sysfs.path=${root}/sys/bus/pci`, '-O', 'hwdb.disable=1'];
    const vv = await run(lspciPath, ['-D', '-nnk', '-vv', ...args]);
    const tree = await run(lspciPath, ['-tv', ...args]);
    assert.equal(vv.code, 0, vv.stderr);
    const pasted = await snapshotOf(`$ lspci -D -nnk -vv\n${vv.stdout}\n$ lspci -tv\n${tree.stdout}`);
    assert.deepEqual(pasted.pci.map((d) => d.address), collected.pci.map((d) => d.address).sort(), 'same functions');
    for (const c of collected.pci) {
      const p = pasted.pci.find((d) => d.address === c.address)!;
      const where = `${name} ${c.address}`;
      assert.equal(`${p.vendorId}:${p.deviceId}`, `${c.vendorId}:${c.deviceId}`, `${where} ids`);
      assert.equal(p.classCode.slice(0, 4), c.classCode.slice(0, 4), `${where} class`);
      assert.equal(p.driver, c.driver, `${where} driver`);
      assert.equal(p.iommuGroup, c.iommuGroup, `${where} group`);
      assert.deepEqual(p.upstream, c.upstream, `${where} bridges above it (lspci -t)`);
      if (c.configStatus.status === 'denied' || c.config?.capabilities === null) {
        assert.equal(p.config?.capabilities ?? null, null, `${where}: capabilities not claimed without root`);
        continue;
      }
      assert.equal(p.config?.express?.portType ?? null, c.config?.express?.portType ?? null, `${where} port type`);
      assert.equal(p.config?.express?.flr ?? null, c.config?.express?.flr ?? null, `${where} FLR`);
      assert.deepEqual(p.config?.acs?.ctrl ?? null, c.config?.acs?.ctrl ?? null, `${where} ACS control`);
      assert.equal(p.config?.ari ?? false, c.config?.ari ?? false, `${where} ARI`);
    }
  });
}
