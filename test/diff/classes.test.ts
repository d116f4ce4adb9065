import test from 'node:test';
import assert from 'node:assert/strict';
import type { HostSpec } from '../fixtures/host-builder.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { diffSnapshots } from '../../src/diff/diff.js';
import type { Change, ChangeKind } from '../../src/diff/types.js';
import type { Layer } from '../../src/analyze/layers.js';
import { BOOT_A, BOOT_B, GPU, GPU_AUDIO, HBA, NIC, collectHost, hostSpec, mutate } from './support/hosts.js';

// One fixture pair per change class: the earlier snapshot is the healthy passthrough host (or what the
// row says), the later one is built from a changed host description or, for what the builder cannot
// express, a mutated copy of the earlier snapshot.

interface Expect {
  id: string;
  layer: Layer;
  kind: ChangeKind;
  subject?: string;
  cause?: string | null;
  title?: RegExp;
}

interface Row {
  name: string;
  before?: HostSpec | ((base: Snapshot) => Snapshot);
  /** A function gets the earlier snapshot and the unchanged base host's. */
  after: HostSpec | ((before: Snapshot, base: Snapshot) => Snapshot);
  expect: Expect[];
  /** Whether the comparison as a whole has a regression (the CLI's exit code 1). */
  regression: boolean;
  /** Ids that must not appear. */
  absent?: string[];
}

const later = (o: Parameters<typeof hostSpec>[0] = {}, extra: Partial<HostSpec> = {}): HostSpec => ({ ...hostSpec({ bootId: BOOT_B, ...o }), ...extra });
const withLog = (lines: string[], spec: HostSpec): HostSpec => ({ ...spec, logs: { extraLines: lines } });

const ROWS: Row[] = [
  {
    name: 'kernel update with nothing else changed',
    after: later({ release: '6.8.12-5-pve' }),
    expect: [{ id: 'kernel-changed', layer: 'kernel', kind: 'neutral', title: /6\.8\.12-4-pve → 6\.8\.12-5-pve/ }],
    regression: false,
  },
  {
    name: 'command line: intel_iommu=on dropped, IOMMU off',
    after: later({}, { cmdlineArgs: ['iommu=pt'], iommu: null }),
    expect: [
      { id: 'cmdline-option-dropped', layer: 'kernel', kind: 'regression', cause: 'iommu-disabled-cmdline', title: /intel_iommu dropped \(-intel_iommu=on\)$/ },
      { id: 'iommu-deactivated', layer: 'kernel', kind: 'regression' },
    ],
    regression: true,
  },
  {
    name: 'command line: intel_iommu=on dropped on a kernel that enables the IOMMU by default',
    after: later({}, { cmdlineArgs: ['iommu=pt'] }),
    expect: [{ id: 'cmdline-option-dropped', layer: 'kernel', kind: 'neutral', title: /the IOMMU is still active/ }],
    regression: false,
  },
  {
    name: 'command line: pci=disable_acs_redir added is an isolation matter',
    after: later({}, { cmdlineArgs: ['intel_iommu=on', 'iommu=pt', 'pci=disable_acs_redir=0000:00:01.0'] }),
    expect: [{ id: 'cmdline-option-added', layer: 'isolation', kind: 'neutral' }],
    regression: false,
  },
  {
    name: 'command line: pcie_acs_override added',
    after: later({}, { cmdlineArgs: ['intel_iommu=on', 'iommu=pt', 'pcie_acs_override=downstream,multifunction'] }),
    expect: [{ id: 'cmdline-option-added', layer: 'isolation', kind: 'regression', cause: 'acs-override-in-use', title: /\+pcie_acs_override=downstream,multifunction/ }],
    regression: true,
  },
  {
    name: 'command line: iommu=pt dropped is a tuning change',
    after: later({}, { cmdlineArgs: ['intel_iommu=on'] }),
    expect: [{ id: 'cmdline-option-dropped', layer: 'kernel', kind: 'neutral', title: /-iommu=pt/ }],
    regression: false,
  },
  {
    name: 'command line: intel_iommu=on added',
    before: { ...hostSpec(), cmdlineArgs: ['iommu=pt'] },
    after: later(),
    expect: [{ id: 'cmdline-option-added', layer: 'kernel', kind: 'improvement', title: /\+intel_iommu=on/ }],
    regression: false,
  },
  {
    name: 'command line: an option unrelated to passthrough added',
    after: later({}, { cmdlineArgs: ['intel_iommu=on', 'iommu=pt', 'mitigations=off'] }),
    expect: [{ id: 'cmdline-other-changed', layer: 'kernel', kind: 'neutral' }],
    regression: false,
  },
  {
    name: 'IOMMU no longer active',
    after: later({}, { iommu: null }),
    expect: [{ id: 'iommu-deactivated', layer: 'kernel', kind: 'regression', cause: 'iommu-inactive' }],
    absent: ['iommu-group-merged', 'iommu-group-split'],
    regression: true,
  },
  {
    name: 'IOMMU active again',
    before: { ...hostSpec(), iommu: null },
    after: later(),
    expect: [{ id: 'iommu-activated', layer: 'kernel', kind: 'improvement' }],
    regression: false,
  },
  {
    name: 'interrupt remapping lost',
    after: later({}, { iommu: { interruptRemapping: false } }),
    expect: [{ id: 'irq-remapping-lost', layer: 'kernel', kind: 'regression', cause: 'irq-remap-missing' }],
    regression: true,
  },
  {
    name: 'interrupt remapping gained',
    before: { ...hostSpec(), iommu: { interruptRemapping: false } },
    after: later(),
    expect: [{ id: 'irq-remapping-gained', layer: 'kernel', kind: 'improvement' }],
    regression: false,
  },
  {
    name: 'groups merged: root ports lose ACS',
    after: later({ rootPortAcs: 'off' }),
    expect: [{ id: 'iommu-group-merged', layer: 'isolation', kind: 'regression', subject: HBA, cause: 'group-shared' }],
    regression: true,
  },
  {
    name: 'a GPU joining the group of its own audio function (both targets) is no regression',
    before: (base) =>
      mutate(base, (c) => {
        c.host.bootId = BOOT_A;
        const g = c.iommu.groups!.find((x) => x.devices.includes(GPU))!;
        g.devices = [GPU];
        c.iommu.groups!.push({ id: 99, devices: [GPU_AUDIO], type: 'identity', reservedRegions: [] });
        c.pci.find((d) => d.address === GPU_AUDIO)!.iommuGroup = 99;
      }),
    after: (_before, base) => mutate(base, () => undefined),
    expect: [{ id: 'iommu-group-merged', layer: 'isolation', kind: 'neutral', subject: GPU }],
    regression: false,
  },
  {
    name: 'groups split: root ports gain ACS',
    before: hostSpec({ rootPortAcs: 'off' }),
    after: later(),
    expect: [{ id: 'iommu-group-split', layer: 'isolation', kind: 'improvement', subject: HBA, title: new RegExp(`no longer shares a group with .*${NIC}`) }],
    regression: false,
  },
  {
    name: 'target moved to another address',
    after: later({ gpuPort: '1d.0', extraEndpoint: true }),
    expect: [
      { id: 'device-moved', layer: 'device', kind: 'regression', subject: '0000:04:00.0', title: new RegExp(`from ${GPU} to 0000:04:00.0`) },
      { id: 'device-moved', layer: 'device', kind: 'regression', subject: '0000:04:00.1', title: new RegExp(`from ${GPU_AUDIO}`) },
      { id: 'device-appeared', layer: 'device', kind: 'neutral', subject: GPU },
    ],
    regression: true,
  },
  {
    name: 'target disappeared',
    after: later({ withGpu: false }),
    expect: [
      { id: 'device-disappeared', layer: 'device', kind: 'regression', subject: GPU },
      { id: 'device-disappeared', layer: 'device', kind: 'regression', subject: GPU_AUDIO },
    ],
    regression: true,
  },
  {
    name: 'other device appeared',
    after: later({ extraEndpoint: true }),
    expect: [{ id: 'device-appeared', layer: 'device', kind: 'neutral', subject: '0000:04:00.0' }],
    regression: false,
  },
  {
    name: 'target claimed by its host driver',
    after: later({ hbaDriver: 'mpt3sas' }),
    expect: [{ id: 'driver-changed', layer: 'binding', kind: 'regression', subject: HBA, cause: 'host-driver-bound', title: /vfio-pci → mpt3sas/ }],
    regression: true,
  },
  {
    name: 'target bound to vfio-pci again',
    before: hostSpec({ hbaDriver: 'mpt3sas' }),
    after: later(),
    expect: [{ id: 'driver-changed', layer: 'binding', kind: 'improvement', subject: HBA }],
    regression: false,
  },
  {
    name: 'driver change of a device that is not a target',
    after: later({ nicDriver: 'igc' }),
    expect: [{ id: 'driver-changed', layer: 'binding', kind: 'neutral', subject: NIC, title: /igb → igc/ }],
    regression: false,
  },
  {
    name: 'vfio-pci ids removed from modprobe.d',
    after: later({}, { modprobe: { 'vfio.conf': 'options vfio-pci ids=1000:0097\n' } }),
    expect: [
      { id: 'vfio-ids-removed', layer: 'binding', kind: 'regression', title: /10de:1e87/ },
      { id: 'vfio-ids-removed', layer: 'binding', kind: 'regression', title: /10de:10f8/ },
    ],
    regression: true,
  },
  {
    name: 'vfio modules missing from the initramfs and its module list',
    after: later({}, { initramfsModules: [] }),
    expect: [
      { id: 'early-vfio-lost', layer: 'modules', kind: 'regression', cause: 'initramfs-missing-vfio', title: /^vfio, .*vfio_pci.* no longer in the initramfs$/ },
      { id: 'early-vfio-lost', layer: 'modules', kind: 'regression', title: /vfio_pci.* no longer in the initramfs generator's module list/ },
    ],
    regression: true,
  },
  {
    name: 'vfio modules back in the initramfs',
    before: { ...hostSpec(), initramfsModules: [] },
    after: later(),
    expect: [{ id: 'early-vfio-gained', layer: 'modules', kind: 'improvement', title: /vfio_pci.* now in the initramfs$/ }],
    regression: false,
  },
  {
    name: 'only the initramfs-stage module list lost vfio_pci',
    after: (s) =>
      mutate(s, (c) => {
        c.modules.loadAtBoot = c.modules.loadAtBoot.filter((e) => e.module !== 'vfio_pci');
      }),
    expect: [{ id: 'early-vfio-lost', layer: 'modules', kind: 'regression', title: /^vfio_pci no longer in the initramfs generator's module list/ }],
    absent: ['module-lost'],
    regression: true,
  },
  {
    name: 'reset method lost on a target',
    after: later({ gpuResetMethods: ['bus'] }),
    expect: [{ id: 'reset-methods-changed', layer: 'device', kind: 'regression', subject: GPU, title: /lost flr/ }],
    regression: true,
  },
  {
    name: 'no reset method left on a target',
    after: later({ gpuResetMethods: null }),
    expect: [{ id: 'reset-methods-changed', layer: 'device', kind: 'regression', subject: GPU, cause: 'reset-unsupported', title: /no reset method left/ }],
    regression: true,
  },
  {
    name: 'reset method change on a device that is not a target',
    after: (s) =>
      mutate(s, (c) => {
        c.pci.find((d) => d.address === NIC)!.resetMethods = ['flr', 'bus'];
      }),
    expect: [{ id: 'reset-methods-changed', layer: 'device', kind: 'neutral', subject: NIC, title: /gained flr/ }],
    regression: false,
  },
  {
    name: 'new DMA faults, BAR, reset, power-state and probe errors in the log',
    after: withLog(
      [
        'DMAR: DRHD: handling fault status reg 2',
        'DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x7f3c0000 [fault reason 0x06] PTE Read access is not set',
        'vfio-pci 0000:03:00.0: BAR 1: can\'t reserve [mem 0xc0000000-0xcfffffff 64bit pref]',
        'vfio-pci 0000:03:00.0: not ready 65535ms after FLR; giving up',
        'vfio-pci 0000:03:00.0: Unable to change power state from D3cold to D0, device inaccessible',
        'vfio-pci: probe of 0000:02:00.0 failed with error -22',
      ],
      later(),
    ),
    expect: [
      { id: 'log-new-dma-fault', layer: 'device', kind: 'regression', subject: HBA, cause: 'dma-fault', title: /\(2 lines\)/ },
      { id: 'log-new-bar-conflict', layer: 'device', kind: 'regression', subject: GPU, cause: 'bar-conflict' },
      { id: 'log-new-reset-error', layer: 'device', kind: 'regression', subject: GPU, cause: 'reset-failed' },
      { id: 'log-new-d3', layer: 'device', kind: 'regression', subject: GPU, cause: 'stuck-in-d3' },
      { id: 'log-new-probe-failure', layer: 'binding', kind: 'regression', subject: NIC },
    ],
    regression: true,
  },
  {
    name: 'the same fault at another address is recurring, not new',
    before: withLog(['DMAR: [DMA Write NO_PASID] Request device [01:00.0] fault addr 0x69974000 [fault reason 0x05] PTE Write access is not set'], hostSpec()),
    after: withLog(['DMAR: [DMA Write NO_PASID] Request device [01:00.0] fault addr 0x12340000 [fault reason 0x05] PTE Write access is not set'], later()),
    expect: [{ id: 'log-new-dma-fault', layer: 'device', kind: 'neutral', subject: HBA, title: /^Recurring/ }],
    regression: false,
  },
  {
    name: 'the same log lines at other times are no change',
    before: withLog(['[  12.500000] vfio-pci 0000:03:00.0: BAR 1: can\'t reserve [mem 0xc0000000-0xcfffffff 64bit pref]'], hostSpec()),
    after: withLog(['[  48.125000] vfio-pci 0000:03:00.0: BAR 1: can\'t reserve [mem 0xc0000000-0xcfffffff 64bit pref]'], later()),
    expect: [],
    absent: ['log-new-bar-conflict', 'log-gone-bar-conflict'],
    regression: false,
  },
  {
    name: 'an AMD-Vi page fault and an AER error',
    after: withLog(
      ['vfio-pci 0000:03:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000d address=0xfd7b4000 flags=0x0020]', 'pcieport 0000:00:1c.0: AER: Uncorrected (Fatal) error received: 0000:03:00.0'],
      later(),
    ),
    expect: [
      { id: 'log-new-dma-fault', layer: 'device', kind: 'regression', subject: GPU },
      { id: 'log-new-aer', layer: 'device', kind: 'regression', subject: '0000:00:1c.0' },
    ],
    regression: true,
  },
  {
    name: '/dev/vfio/vfio gone',
    after: later({}, { devNodes: { '/dev/vfio/vfio': null } }),
    expect: [{ id: 'dev-node-lost', layer: 'hypervisor', kind: 'regression', title: /\/dev\/vfio\/vfio is gone/ }],
    regression: true,
  },
  {
    name: '/dev/vfio/vfio permissions narrowed',
    after: later({}, { devNodes: { '/dev/vfio/vfio': { type: 'char', mode: '0600', uid: 0, gid: 0, major: 10, minor: 196 } } }),
    expect: [{ id: 'dev-node-permissions-changed', layer: 'hypervisor', kind: 'regression', cause: 'vfio-node-permissions' }],
    regression: true,
  },
  {
    name: "the target group's /dev/vfio node is gone",
    after: (s) =>
      mutate(s, (c) => {
        const g = c.pci.find((d) => d.address === HBA)!.iommuGroup;
        c.devnodes.vfio = c.devnodes.vfio!.filter((n) => n.path !== `/dev/vfio/${g}`);
      }),
    expect: [{ id: 'dev-node-lost', layer: 'hypervisor', kind: 'regression', title: new RegExp(`group of ${HBA}`) }],
    regression: true,
  },
  {
    name: 'a VFIO module is gone from the new kernel',
    after: (s) =>
      mutate(s, (c) => {
        c.host.kernelRelease = '6.8.12-5-pve';
        c.modules.loaded = c.modules.loaded!.filter((m) => m.name !== 'vfio_iommu_type1');
        c.modules.vfioOnDisk = c.modules.vfioOnDisk!.filter((m) => m.name !== 'vfio_iommu_type1');
      }),
    expect: [{ id: 'module-lost', layer: 'modules', kind: 'regression', cause: 'module-missing', title: /vfio_iommu_type1 is missing for kernel 6\.8\.12-5-pve/ }],
    regression: true,
  },
  {
    name: 'a VFIO module installed but no longer loaded',
    after: (s) =>
      mutate(s, (c) => {
        c.modules.loaded = c.modules.loaded!.filter((m) => m.name !== 'vfio_pci');
      }),
    expect: [{ id: 'module-not-loaded', layer: 'modules', kind: 'regression', title: /vfio_pci is no longer loaded/ }],
    regression: true,
  },
  {
    name: 'vfio_virqfd folded into vfio across 6.2',
    before: (base) =>
      mutate(base, (c) => {
        c.host.bootId = BOOT_A;
        c.host.kernelRelease = '6.1.0-18-amd64';
        c.modules.loaded!.push({ name: 'vfio_virqfd', size: 16384, refcount: 1, usedBy: ['vfio_pci_core'], state: 'Live' });
        c.modules.vfioOnDisk!.push({ name: 'vfio_virqfd', path: '/lib/modules/6.1.0-18-amd64/kernel/drivers/vfio/vfio_virqfd.ko' });
      }),
    after: (before) =>
      mutate(before, (c) => {
        c.host.kernelRelease = '6.8.12-4-pve';
        c.modules.loaded = c.modules.loaded!.filter((m) => m.name !== 'vfio_virqfd');
        c.modules.vfioOnDisk = c.modules.vfioOnDisk!.filter((m) => m.name !== 'vfio_virqfd');
      }),
    expect: [{ id: 'module-renamed', layer: 'modules', kind: 'neutral', title: /vfio_virqfd is gone: folded into vfio in kernel 6\.2/ }],
    absent: ['module-lost'],
    regression: false,
  },
  {
    name: 'firmware stops exposing the IOMMU table, BIOS updated, VT-x off',
    after: (s) =>
      mutate(s, (c) => {
        c.firmware.acpiTables.DMAR = false;
        c.host.dmi!.biosVersion = '2103';
        c.host.cpu!.vmx = false;
      }),
    expect: [
      { id: 'firmware-iommu-table-lost', layer: 'firmware', kind: 'regression', cause: 'iommu-disabled-firmware' },
      { id: 'firmware-virtualization-disabled', layer: 'firmware', kind: 'regression' },
      { id: 'firmware-bios-changed', layer: 'firmware', kind: 'neutral', title: /BIOS 2004 → 2103/ },
    ],
    regression: true,
  },
  {
    name: 'two identical snapshots',
    after: (s) => mutate(s, () => undefined),
    expect: [],
    regression: false,
  },
];

let base: Promise<Snapshot> | null = null;
function baseSnapshot(): Promise<Snapshot> {
  base ??= collectHost(hostSpec());
  return base;
}

async function resolveBefore(row: Row): Promise<Snapshot> {
  if (row.before === undefined) return baseSnapshot();
  if (typeof row.before === 'function') return row.before(await baseSnapshot());
  return collectHost(row.before);
}

function describe(c: Change): string {
  return `${c.id} ${c.layer} ${c.kind} ${c.subject ?? '-'} ${c.cause ?? '-'}: ${c.title}`;
}

for (const row of ROWS) {
  test(`diff class: ${row.name}`, async () => {
    const before = await resolveBefore(row);
    const after = typeof row.after === 'function' ? row.after(before, await baseSnapshot()) : await collectHost(row.after);
    const report = diffSnapshots(before, after);
    const seen = report.changes.map(describe).join('\n');
    for (const e of row.expect) {
      const hit = report.changes.find(
        (c) =>
          c.id === e.id &&
          c.layer === e.layer &&
          c.kind === e.kind &&
          (e.subject === undefined || c.subject === e.subject) &&
          (e.cause === undefined || c.cause === e.cause) &&
          (e.title === undefined || e.title.test(c.title)),
      );
      assert.ok(hit, `expected ${JSON.stringify({ ...e, title: e.title?.source })}\ngot:\n${seen}`);
      assert.ok(hit.evidence.length > 0, `${e.id} carries evidence`);
    }
    for (const id of row.absent ?? []) assert.ok(!report.changes.some((c) => c.id === id), `${id} must not be reported; got:\n${seen}`);
    if (row.expect.length === 0 && row.absent === undefined) assert.deepEqual(report.changes, [], seen);
    assert.equal(report.counts.regression > 0, row.regression, `regression expected: ${row.regression}; got:\n${seen}`);
    assert.equal(report.firstRegressionLayer, report.changes.find((c) => c.kind === 'regression')?.layer ?? null);
  });
}
