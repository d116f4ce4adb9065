// Every message format of kernel-facts.md, decoded: kind, device, era and the decoded fields.
// Lines marked "real" are quoted from real logs (kernel-facts examples); the others are the kernel's
// format strings filled in, for eras where no real line was at hand.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLine, decodeLines, RULES } from '../../src/log/events/index.js';
import type { LogEvent } from '../../src/log/events/index.js';
import { parsePrefix } from '../../src/log/prefix.js';

interface Case {
  line: string;
  kind: string;
  device?: string | null;
  era?: string | null;
  fields?: Record<string, unknown>;
  signals?: string[];
  severity?: string;
}

function check(c: Case, e: LogEvent | null): void {
  assert.ok(e, `not decoded: ${c.line}`);
  assert.equal(e.kind, c.kind, c.line);
  if (c.device !== undefined) assert.equal(e.device, c.device, `device of: ${c.line}`);
  if (c.era !== undefined) assert.equal(e.era, c.era, `era of: ${c.line}`);
  if (c.severity !== undefined) assert.equal(e.severity, c.severity, `severity of: ${c.line}`);
  for (const [k, v] of Object.entries(c.fields ?? {})) assert.deepEqual(e.fields[k], v, `field ${k} of: ${c.line}`);
  for (const s of c.signals ?? []) assert.ok(e.signals.includes(s as never), `signal ${s} of: ${c.line}`);
  assert.ok(e.meaning.length > 20, `meaning of: ${c.line}`);
  assert.equal(e.raw, c.line);
}

function run(name: string, cases: Case[]): void {
  test(name, () => {
    for (const c of cases) check(c, decodeLine(c.line, 7));
  });
}

const PTE_W = 'PTE Write access is not set';
const PTE_R = 'PTE Read access is not set';

run('Intel DMA faults, single-line eras (4.2-5.4, 5.5-5.13, 5.14, >= 5.15)', [
  {
    line: 'DMAR: [DMA Write] Request device [02:00.0] fault addr 3ffff000 [fault reason 05] PTE Write access is not set',
    kind: 'dmar-dma-fault',
    device: '02:00.0',
    era: '4.2-5.4',
    fields: { access: 'write', address: '0x3ffff000', reasonCode: 5, reasonHex: '0x05', reason: PTE_W, reasonBase: 'decimal', pasid: null },
    signals: ['dma-fault'],
    severity: 'error',
  },
  {
    // real, 5.13.12
    line: 'DMAR: [DMA Write] Request device [04:00.0] PASID ffffffff fault addr 69974000 [fault reason 05] PTE Write access is not set',
    kind: 'dmar-dma-fault',
    device: '04:00.0',
    era: '5.5-5.13',
    fields: { access: 'write', pasid: null, address: '0x69974000', reasonCode: 5, reason: PTE_W, reasonBase: 'decimal' },
  },
  {
    // scalable-mode code 0x59 printed in decimal on 5.5-5.13
    line: 'DMAR: [DMA Read] Request device [00:02.0] PASID 1 fault addr 7fe00000 [fault reason 89] SM: Present bit in PASID Table Entry is clear',
    kind: 'dmar-dma-fault',
    device: '00:02.0',
    era: '5.5-5.13',
    fields: { access: 'read', pasid: '0x1', reasonCode: 0x59, reasonHex: '0x59', reason: 'SM: Present bit in PASID Table Entry is clear', reasonTable: 'scalable-mode' },
  },
  {
    // real, 5.14-rc7
    line: 'DMAR: [DMA Write NO_PASID] Request device [0x04:0x00.0] fault addr 0x69974000 [fault reason 0x05] PTE Write access is not set',
    kind: 'dmar-dma-fault',
    device: '04:00.0',
    era: '5.14',
    fields: { access: 'write', pasid: null, address: '0x69974000', reasonCode: 5, reason: PTE_W, reasonBase: 'hex' },
  },
  {
    // real, >= 5.15
    line: 'DMAR: [DMA Write NO_PASID] Request device [05:00.0] fault addr 0x69974000 [fault reason 0x05] PTE Write access is not set',
    kind: 'dmar-dma-fault',
    device: '05:00.0',
    era: '>= 5.15',
    fields: { type: 'DMA Write', access: 'write', requester: '05:00.0', pasid: null, address: '0x69974000', reasonCode: 5, reasonHex: '0x05', reason: PTE_W, reasonPrinted: PTE_W, reasonTable: 'dma-remapping' },
  },
  {
    line: 'DMAR: [DMA Read PASID 0x2] Request device [00:02.0] fault addr 0xfee00000 [fault reason 0x71] SM: Present bit in first-level paging entry is clear',
    kind: 'dmar-dma-fault',
    device: '00:02.0',
    era: '>= 5.15',
    fields: { access: 'read', pasid: '0x2', reasonCode: 0x71, reason: 'SM: Present bit in first-level paging entry is clear', reasonTable: 'scalable-mode' },
  },
  {
    // the playbook's dmesg -T line (single space before the day)
    line: '[Tue Feb 4 10:26:44 2026] DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x7f3c0000 [fault reason 0x06] PTE Read access is not set',
    kind: 'dmar-dma-fault',
    device: '01:00.0',
    era: '>= 5.15',
    fields: { access: 'read', address: '0x7f3c0000', reasonCode: 6, reason: PTE_R },
  },
  {
    line: 'DMAR: [DMA Read NO_PASID] Request device [3a:00.1] fault addr 0x1000 [fault reason 0x35] Unknown',
    kind: 'dmar-dma-fault',
    device: '3a:00.1',
    fields: { reasonCode: 0x35, reason: 'Unknown', reasonTable: 'unknown' },
  },
  {
    line: 'DMAR: [DMA Read NO_PASID] Request device [00:1f.6] fault addr 0x0 [fault reason 0x02] Present bit in context entry is clear',
    kind: 'dmar-dma-fault',
    fields: { reasonCode: 2, reason: 'Present bit in context entry is clear' },
  },
]);

run('Intel interrupt-remapping faults in every era', [
  {
    line: 'DMAR: [INTR-REMAP] Request device [00:14.0] fault index 1a [fault reason 38] Blocked an interrupt request due to source-id verification failure',
    kind: 'dmar-dma-fault',
    device: '00:14.0',
    era: '4.2-5.13',
    fields: { type: 'INTR-REMAP', faultIndex: '0x1a', address: null, reasonCode: 0x26, reason: 'Blocked an interrupt request due to source-id verification failure', reasonTable: 'interrupt-remapping' },
    severity: 'warning',
  },
  {
    line: 'DMAR: [INTR-REMAP] Request device [0x00:0x1f.0] fault index 0x4b [fault reason 0x25] Blocked a compatibility format interrupt request',
    kind: 'dmar-dma-fault',
    device: '00:1f.0',
    era: '5.14',
    fields: { faultIndex: '0x4b', reasonCode: 0x25, reason: 'Blocked a compatibility format interrupt request' },
  },
  {
    line: 'DMAR: [INTR-REMAP] Request device [00:1f.0] fault index 0x4b [fault reason 0x22] Present field in the IRTE entry is clear',
    kind: 'dmar-dma-fault',
    device: '00:1f.0',
    era: '>= 5.15',
    fields: { faultIndex: '0x4b', reasonCode: 0x22, reason: 'Present field in the IRTE entry is clear' },
  },
]);

test('Intel pre-4.2 two-line faults are joined, with the reason decoded as decimal', () => {
  const events = decodeLines([
    { n: 10, text: '[  100.000001] DMAR:[DMA Read] Request device [01:00.0] fault addr 7f3c0000 ' },
    { n: 11, text: '[  100.000002] DMAR:[fault reason 06] PTE Read access is not set' },
    { n: 12, text: '[  100.100000] INTR-REMAP: Request device [[00:1f.0] fault index 4b' },
    { n: 14, text: '[  100.100001] INTR-REMAP:[fault reason 37] Blocked a compatibility format interrupt request' },
  ]);
  assert.equal(events.length, 2);
  const [dma, ir] = events as [LogEvent, LogEvent];
  assert.equal(dma.kind, 'dmar-dma-fault');
  assert.equal(dma.era, '< 4.2');
  assert.equal(dma.device, '01:00.0');
  assert.deepEqual(dma.lines, [10, 11]);
  assert.equal(dma.fields['reasonCode'], 6);
  assert.equal(dma.fields['reason'], PTE_R);
  assert.equal(dma.fields['address'], '0x7f3c0000');
  assert.equal(dma.fields['partial'], false);
  assert.equal(ir.fields['type'], 'INTR-REMAP');
  assert.equal(ir.fields['reasonCode'], 0x25);
  assert.equal(ir.fields['reason'], 'Blocked a compatibility format interrupt request');
  assert.equal(ir.fields['faultIndex'], '0x4b');
  assert.deepEqual(ir.lines, [12, 14]);
});

test('an unpaired first half stays a partial fault; a lone reason line decodes on its own', () => {
  const first = decodeLine('DMAR:[DMA Write] Request device [02:00.0] fault addr 1000 ');
  assert.equal(first?.fields['partial'], true);
  assert.equal(first?.fields['reasonCode'], null);
  const reason = decodeLine('DMAR:[fault reason 12] non-zero reserved fields in PTE');
  assert.equal(reason?.kind, 'dmar-fault-reason');
  assert.equal(reason?.fields['reasonCode'], 12);
  assert.equal(reason?.fields['reason'], 'non-zero reserved fields in PTE');
});

run('Intel fault handler, rate limiting and page-table dumps', [
  { line: 'DMAR: DRHD: handling fault status reg 2', kind: 'dmar-fault-status', fields: { status: '0x2' } },
  { line: 'dmar_fault: 12 callbacks suppressed', kind: 'dmar-faults-suppressed', fields: { count: 12 } },
  { line: 'DMAR: Dump dmar0 table entries for IOVA 0x7f3c0000', kind: 'dmar-pte-dump', era: '>= 5.17', fields: { entry: 'dump-start', table: 'dmar0', iova: '0x7f3c0000' } },
  { line: 'DMAR: root entry: 0x0000000103d1a001', kind: 'dmar-pte-dump', fields: { entry: 'root entry', value: '0x0000000103d1a001' } },
  { line: 'DMAR: scalable mode root entry: hi 0x0000000000000000, low 0x000000010b6f3001', kind: 'dmar-pte-dump', fields: { entry: 'scalable mode root entry' } },
  { line: 'DMAR: context entry: hi 0x0000000000000000, low 0x0000000102b5f001', kind: 'dmar-pte-dump', fields: { entry: 'context entry' } },
  { line: 'DMAR: pasid table entry[0]: 0x0000000000000049', kind: 'dmar-pte-dump', fields: { entry: 'pasid table entry', value: '0x0000000000000049' } },
  { line: 'DMAR: pte level: 4, pte value: 0x0000000112a4e003', kind: 'dmar-pte-dump', fields: { entry: 'pte', level: 4, value: '0x0000000112a4e003' } },
  { line: 'DMAR: page table not present at level 3', kind: 'dmar-pte-dump', fields: { entry: 'not-present', level: 3 } },
  { line: 'DMAR: root table is not present', kind: 'dmar-pte-dump', fields: { entry: 'root table not present' } },
  { line: 'DMAR: scalable mode page table is not present', kind: 'dmar-pte-dump', fields: { entry: 'scalable mode page table not present' } },
  { line: 'DMAR: PTE not present at level 2', kind: 'dmar-pte-dump', era: '5.17 to 6.1x', fields: { level: 2 } },
  { line: 'DMAR: root table entry is not present', kind: 'dmar-pte-dump', era: '5.17 to 6.1x' },
]);

run('Intel initialisation: what proves DMA remapping and what does not', [
  { line: '[    0.151960] DMAR: IOMMU enabled', kind: 'intel-iommu-cmdline-on', signals: ['dma-remapping-requested'] },
  { line: 'DMAR: IOMMU disabled', kind: 'intel-iommu-cmdline-off', signals: ['dma-remapping-disabled'] },
  { line: 'DMAR: Disable GFX device mapping', kind: 'intel-iommu-option', fields: { option: 'igfx_off' } },
  { line: 'DMAR: Intel-IOMMU: scalable mode supported', kind: 'intel-iommu-option', fields: { option: 'sm_on' } },
  { line: 'DMAR: Scalable mode is disallowed', kind: 'intel-iommu-option', fields: { option: 'sm_off' } },
  { line: 'DMAR: intel_iommu=strict deprecated; use iommu.strict=1 instead', kind: 'intel-iommu-option', fields: { option: 'strict', deprecated: true, replacement: 'iommu.strict=1' } },
  { line: "DMAR: Unknown option - 'onn'", kind: 'iommu-unknown-option', fields: { vendor: 'intel', option: 'onn' } },
  { line: 'DMAR: Host address width 46', kind: 'dmar-table', fields: { hostAddressWidth: 46 }, signals: ['iommu-table-present'] },
  { line: 'DMAR: DRHD base: 0x000000fed90000 flags: 0x1', kind: 'dmar-drhd', fields: { base: '0x000000fed90000', includePciAll: true } },
  { line: 'DMAR: RMRR base: 0x0000003e2e0000 end: 0x0000003e2fffff', kind: 'dmar-rmrr', fields: { base: '0x0000003e2e0000', end: '0x0000003e2fffff' } },
  {
    // ecap f050da: bit 3 (IR) and bit 4 (EIM) set (kernel-facts §10 worked example)
    line: 'DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap 1c0000c40660462 ecap f050da',
    kind: 'dmar-unit',
    fields: { unit: 'dmar0', regBase: '0xfed90000', version: '1:0', irSupported: true, eim: true, queuedInvalidation: true, cachingMode: false },
    signals: ['iommu-hardware-present'],
  },
  { line: 'DMAR: dmar1: reg_base_addr fbffc000 ver 1:0 cap d2008c40660462 ecap f050d2', kind: 'dmar-unit', fields: { irSupported: false } },
  { line: 'DMAR: Intel(R) Virtualization Technology for Directed I/O', kind: 'dmar-active', era: null, signals: ['dma-remapping-active'] },
  { line: 'PCI-DMA: Intel(R) Virtualization Technology for Directed I/O', kind: 'dmar-active', era: '2.6.2x' },
  { line: 'DMAR: Intel-IOMMU force enabled due to platform opt in', kind: 'dmar-platform-optin' },
  { line: 'pci 0000:00:02.0: DMAR: Disabling IOMMU for graphics on this chipset', kind: 'dmar-gfx-disabled', device: '0000:00:02.0' },
  { line: 'DMAR: IOMMU feature pgsel_inv inconsistent', kind: 'dmar-feature-inconsistent', fields: { feature: 'pgsel_inv' } },
  { line: 'ACPI: DMAR 0x000000006D3F6000 000128 (v01 ALASKA A M I    00000001 INTL 20091013)', kind: 'acpi-dmar-table', signals: ['iommu-table-present'] },
  { line: 'ACPI: IVRS 0x00000000B9C39000 0001A4 (v02 AMD    AmdTable 00000001 AMD  00000001)', kind: 'acpi-ivrs-table' },
]);

run('RMRR problems', [
  {
    // real (case 32)
    line: '[    0.098794] DMAR: [Firmware Bug]: Your BIOS is broken; bad RMRR [0x00000000000e8000-0x00000000000e8fff]',
    kind: 'rmrr-firmware-bug',
    fields: { start: '0x00000000000e8000', end: '0x00000000000e8fff', problem: 'bad RMRR' },
    signals: ['firmware-bug'],
  },
  {
    line: '[    0.098731] DMAR: [Firmware Bug]: No firmware reserved region can cover this RMRR [0x00000000000e8000-0x00000000000e8fff], contact BIOS vendor for fixes',
    kind: 'rmrr-firmware-bug',
    fields: { problem: 'RMRR not in a firmware-reserved region' },
  },
  {
    line: '[  116.814073] vfio-pci 0000:0b:00.0: Device is ineligible for IOMMU domain attach due to platform RMRR requirement.  Contact your platform vendor.',
    kind: 'rmrr-blocked',
    device: '0000:0b:00.0',
    era: '3.17 to ~6.4',
  },
  {
    line: 'vfio-pci 0000:01:00.0: Firmware has requested this device have a 1:1 IOMMU mapping, rejecting configuring the device without a 1:1 mapping. Contact your platform vendor.',
    kind: 'rmrr-blocked',
    device: '0000:01:00.0',
    era: '>= ~6.5',
  },
]);

run('AMD-Vi IO_PAGE_FAULT in every era, flags decoded', [
  {
    line: 'AMD IOMMU: Event logged [IO_PAGE_FAULT device=01:00.0 domain=0x000f address=0x00000000fd000000 flags=0x0020]',
    kind: 'amd-vi-event',
    device: '01:00.0',
    era: '2.6.2x',
    fields: { event: 'IO_PAGE_FAULT', domain: '0x000f', address: '0x00000000fd000000', flags: '0x0020', flagNames: ['RW'], access: 'write', pagePresent: false },
  },
  {
    // the joined 2.6.3x-4.15 line of kernel-facts §2.2
    line: 'AMD-Vi: Event logged [IO_PAGE_FAULT device=01:00.0 domain=0x000f address=0x00000000fd000000 flags=0x0020]',
    kind: 'amd-vi-event',
    device: '01:00.0',
    era: '< 5.19',
    fields: { eventType: 2, flagsValue: 0x20, transaction: 'memory', access: 'write' },
  },
  {
    line: 'nvme 0000:01:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x0000 address=0x00000000fdf00000 flags=0x0000]',
    kind: 'amd-vi-event',
    device: '0000:01:00.0',
    era: '4.16 to early 5.x',
    fields: { flagNames: [], access: 'read', pagePresent: false, faultingDevice: null, reportedBy: '0000:01:00.0' },
  },
  {
    // real (kernel-facts §2.1)
    line: 'vfio-pci 0000:0b:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000d address=0xfd7b4000 flags=0x0020]',
    kind: 'amd-vi-event',
    device: '0000:0b:00.0',
    era: '>= 4.16',
    fields: { domain: '0x000d', address: '0xfd7b4000', flags: '0x0020', flagNames: ['RW'], access: 'write', transaction: 'memory' },
  },
  {
    line: 'AMD-Vi: Event logged [IO_PAGE_FAULT device=0000:c1:00.0 domain=0x0000 address=0xfffffffdf8000000 flags=0x0008]',
    kind: 'amd-vi-event',
    device: '0000:c1:00.0',
    era: '>= 5.19',
    fields: { flagNames: ['I'], transaction: 'interrupt', access: null },
    severity: 'warning',
  },
  {
    line: 'amdgpu 0000:03:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x0002 address=0x1000 flags=0x0030]',
    kind: 'amd-vi-event',
    fields: { flagNames: ['PR', 'RW'], pagePresent: true, access: 'write' },
  },
  {
    line: 'amdgpu 0000:03:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x0002 address=0x1000 flags=0x0050]',
    kind: 'amd-vi-event',
    fields: { flagNames: ['PR', 'PE'], pagePresent: true, permissionError: true, access: 'read' },
  },
  {
    line: 'mlx5_core 0000:41:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x0002 address=0x1000 flags=0x0110]',
    kind: 'amd-vi-event',
    fields: { flagNames: ['PR', 'TR'], translationRequest: true },
  },
]);

run('AMD-Vi other events (new, segment-qualified forms)', [
  {
    line: 'iommu ivhd0: AMD-Vi: Event logged [ILLEGAL_DEV_TABLE_ENTRY device=0000:00:14.0 pasid=0x00000 address=0xfee00000 flags=0x0a00]',
    kind: 'amd-vi-event',
    device: '0000:00:14.0',
    era: '>= 5.19',
    fields: { event: 'ILLEGAL_DEV_TABLE_ENTRY', eventType: 1, pasid: '0x00000', reportedBy: 'ivhd0' },
  },
  {
    line: 'pci 0000:00:00.2: AMD-Vi: Event logged [DEV_TAB_HARDWARE_ERROR device=0000:01:00.0 address=0x10000 flags=0x0000]',
    kind: 'amd-vi-event',
    device: '0000:01:00.0',
    fields: { event: 'DEV_TAB_HARDWARE_ERROR', eventType: 3, reportedBy: '0000:00:00.2' },
  },
  { line: 'AMD-Vi: Event logged [PAGE_TAB_HARDWARE_ERROR device=0000:01:00.0 pasid=0x0000 address=0x2000 flags=0x0000]', kind: 'amd-vi-event', fields: { eventType: 4 } },
  { line: 'AMD-Vi: Event logged [ILLEGAL_COMMAND_ERROR address=0x3e0000]', kind: 'amd-vi-event', device: null, fields: { event: 'ILLEGAL_COMMAND_ERROR', address: '0x3e0000' } },
  { line: 'AMD-Vi: Event logged [COMMAND_HARDWARE_ERROR address=0x3e0000 flags=0x0000]', kind: 'amd-vi-event', fields: { eventType: 6 } },
  { line: 'AMD-Vi: Event logged [IOTLB_INV_TIMEOUT device=0000:02:00.0 address=0x7a6c1000]', kind: 'amd-vi-event', device: '0000:02:00.0', fields: { eventType: 7 } },
  { line: 'AMD-Vi: Event logged [INVALID_DEVICE_REQUEST device=0000:02:00.0 pasid=0x00000 address=0x0 flags=0x0000]', kind: 'amd-vi-event', fields: { eventType: 8 } },
  { line: 'AMD-Vi: Event logged [INVALID_PPR_REQUEST device=0000:02:00.0 pasid=0x00001 address=0x1000 flags=0x0000 tag=0x001]', kind: 'amd-vi-event', fields: { eventType: 9, tag: '0x001' } },
  { line: 'AMD-Vi: Event logged [UNKNOWN event[0]=0x0000a000 event[1]=0x1f000000 event[2]=0x00000000 event[3]=0x00000000', kind: 'amd-vi-event', fields: { event: 'UNKNOWN', words: ['0x0000a000', '0x1f000000', '0x00000000', '0x00000000'] } },
  { line: 'AMD-Vi: Event logged [RMP_PAGE_FAULT device=0000:02:00.0, vmg_tag=0x0001, gpa=0x10000, flags_rmp=0x0001, flags=0x0000]', kind: 'amd-vi-event', device: '0000:02:00.0', fields: { eventType: 0xd, gpa: '0x10000', flagsRmp: '0x0001' } },
  { line: 'AMD-Vi: Control Reg : 0xc22000000002d015', kind: 'amd-vi-dump', fields: { entry: 'Control Reg', value: '0xc22000000002d015' } },
  { line: 'AMD-Vi: DTE[0]: 0000000000000003', kind: 'amd-vi-dump', fields: { entry: 'DTE[0]' } },
]);

test('AMD-Vi split events (4.16-5.4) and "Device not attached" are joined', () => {
  const events = decodeLines([
    { n: 1, text: 'pci 0000:00:00.2: AMD-Vi: Event logged [' },
    { n: 2, text: 'pci 0000:00:00.2: ILLEGAL_DEV_TABLE_ENTRY device=00:14.0 address=0x000000042bf5c000 flags=0x0000]' },
    { n: 3, text: 'AMD-Vi: Event logged [Device not attached to domain properly]' },
    { n: 4, text: 'AMD-Vi:   device=0000:01:00.0 domain=0x0002' },
  ]);
  assert.equal(events.length, 2);
  const [split, detached] = events as [LogEvent, LogEvent];
  assert.equal(split.kind, 'amd-vi-event');
  assert.equal(split.era, '4.16-5.4');
  assert.equal(split.device, '00:14.0');
  assert.equal(split.fields['event'], 'ILLEGAL_DEV_TABLE_ENTRY');
  assert.equal(split.fields['reportedBy'], '0000:00:00.2');
  assert.deepEqual(split.lines, [1, 2]);
  assert.equal(split.line, 1);
  assert.equal(detached.kind, 'amd-vi-dev-not-attached');
  assert.equal(detached.device, '0000:01:00.0');
  assert.equal(detached.fields['domain'], '0x0002');
  assert.deepEqual(detached.lines, [3, 4]);
});

run('AMD initialisation and errors', [
  { line: 'AMD-Vi: Found IOMMU at 0000:00:00.2 cap 0x40', kind: 'amd-iommu-found', device: '0000:00:00.2', era: '< ~5.0', signals: ['iommu-hardware-present'] },
  { line: 'pci 0000:00:00.2: AMD-Vi: Found IOMMU cap 0x40', kind: 'amd-iommu-found', device: '0000:00:00.2', fields: { cap: '0x40' } },
  {
    line: 'AMD-Vi: Extended features (0x58f77ef22294a5a, 0x0): PPR X2APIC NX GT IA GA PC GA_vAPIC',
    kind: 'amd-iommu-features',
    fields: { efr: '0x58f77ef22294a5a', efr2: '0x0', features: ['PPR', 'X2APIC', 'NX', 'GT', 'IA', 'GA', 'PC', 'GA_vAPIC'], x2apic: true, guestVapic: true },
  },
  { line: 'AMD-Vi: AMD IOMMU disabled on kernel command-line', kind: 'iommu-disabled', fields: { vendor: 'amd' }, signals: ['dma-remapping-disabled'] },
  { line: 'AMD-Vi: AMD IOMMU disabled', kind: 'iommu-disabled' },
  { line: "AMD-Vi: Unknown option - 'on'", kind: 'iommu-unknown-option', fields: { vendor: 'amd', option: 'on' } },
  { line: 'AMD-Vi: AMD IOMMUv2 loaded and initialized', kind: 'amd-iommuv2', era: '< 6.7', fields: { loaded: true } },
  { line: 'AMD-Vi: V2 page table enabled (Paging mode : 4 level)', kind: 'amd-iommu-pgtable', fields: { version: 2, levels: 4 } },
  { line: 'AMD-Vi: Lazy IO/TLB flushing enabled', kind: 'iommu-tlb-policy', fields: { vendor: 'amd', mode: 'lazy' }, era: '< ~5.14' },
  { line: 'AMD-Vi: IO/TLB flush on unmap enabled', kind: 'iommu-tlb-policy', fields: { mode: 'strict' } },
  { line: 'AMD-Vi: Using strict mode due to virtualization', kind: 'iommu-tlb-policy', fields: { mode: 'strict' } },
  { line: 'perf/amd_iommu: Detected AMD IOMMU #0 (2 banks, 4 counters/bank).', kind: 'amd-iommu-perf', fields: { index: 0, banks: 2, counters: 4 } },
  { line: 'AMD-Vi: Completion-Wait loop timed out', kind: 'amd-vi-error', severity: 'error' },
  { line: 'AMD-Vi: Command buffer timeout', kind: 'amd-vi-error' },
  { line: 'AMD-Vi: No event written to event log', kind: 'amd-vi-error' },
  { line: 'AMD-Vi: [Firmware Bug]: : IOAPIC[32] not in IVRS table', kind: 'ivrs-firmware-bug', fields: { problem: 'IOAPIC[32] not in IVRS table' } },
]);

run('Interrupt remapping and x2APIC', [
  { line: '[Tue Feb  4 10:18:11 2026] DMAR-IR: Enabled IRQ remapping in x2apic mode', kind: 'irq-remap-enabled', fields: { vendor: 'intel', mode: 'x2apic' }, signals: ['irq-remapping-active'] },
  { line: 'DMAR-IR: Enabled IRQ remapping in xapic mode', kind: 'irq-remap-enabled', fields: { mode: 'xapic' } },
  { line: 'AMD-Vi: Interrupt remapping enabled', kind: 'irq-remap-enabled', fields: { vendor: 'amd', mode: null } },
  { line: 'AMD-Vi: X2APIC enabled', kind: 'irq-remap-mode', fields: { feature: 'x2apic' } },
  { line: 'AMD-Vi: Virtual APIC enabled', kind: 'irq-remap-mode', fields: { feature: 'guest-vapic' } },
  { line: 'DMAR-IR: x2apic is disabled because BIOS sets x2apic opt out bit.', kind: 'x2apic-optout' },
  { line: "DMAR-IR: Use 'intremap=no_x2apic_optout' to override the BIOS setting.", kind: 'irq-remap-info' },
  { line: 'DMAR-IR: Queued invalidation will be enabled to support x2apic and Intr-remapping.', kind: 'irq-remap-info' },
  { line: 'DMAR-IR: dmar1 does not support EIM', kind: 'irq-remap-no-eim', fields: { unit: 'dmar1' } },
  { line: 'DMAR-IR: Not enabling interrupt remapping', kind: 'irq-remap-disabled', signals: ['irq-remapping-unavailable'] },
  { line: 'DMAR-IR: Failed to setup irq remapping for dmar0', kind: 'irq-remap-failed', fields: { unit: 'dmar0' } },
  { line: 'Failed to enable irq remapping.  You are vulnerable to irq-injection attacks.', kind: 'irq-remap-failed' },
  {
    line: 'DMAR-IR: This system BIOS has enabled interrupt remapping on a chipset that contains an erratum making that feature unstable. To maintain system stability interrupt remapping is being disabled. Please contact your BIOS vendor for an update',
    kind: 'irq-remap-erratum',
  },
  { line: 'DMAR-IR: IOAPIC id 8 under DRHD base  0xfbffc000 IOMMU 0', kind: 'irq-remap-ioapic', fields: { source: 'ioapic', id: 8, drhd: '0xfbffc000' } },
  { line: 'DMAR-IR: HPET id 0 under DRHD base 0xfbffc000', kind: 'irq-remap-ioapic', fields: { source: 'hpet' } },
  // real (case 37)
  { line: "[   28.156880] x2apic: IRQ remapping doesn't support X2APIC mode", kind: 'x2apic-no-irq-remap', signals: ['irq-remapping-unavailable'] },
  { line: '[   28.163281] x2apic disabled', kind: 'x2apic-state', fields: { enabled: false } },
  { line: 'x2apic: enabled by BIOS, switching to x2apic ops', kind: 'x2apic-state', fields: { enabled: true } },
]);

run('IOMMU core: default domain, TLB policy, groups', [
  { line: 'iommu: Default domain type: Translated', kind: 'iommu-default-domain', fields: { type: 'Translated', viaCmdline: false } },
  { line: 'iommu: Default domain type: Translated ', kind: 'iommu-default-domain', fields: { type: 'Translated', viaCmdline: false } },
  { line: 'iommu: Default domain type: Passthrough (set via kernel command line)', kind: 'iommu-default-domain', fields: { type: 'Passthrough', viaCmdline: true } },
  { line: 'iommu: DMA domain TLB invalidation policy: lazy mode', kind: 'iommu-tlb-policy', era: '>= 5.14', fields: { mode: 'lazy', viaCmdline: false } },
  { line: 'iommu: DMA domain TLB invalidation policy: strict mode (set via kernel command line)', kind: 'iommu-tlb-policy', fields: { mode: 'strict', viaCmdline: true } },
  { line: 'iommu: Memory encryption detected - Disabling default IOMMU Passthrough', kind: 'iommu-passthrough-refused' },
  { line: 'iommu: Adding device 0000:01:00.0 to group 1', kind: 'iommu-group-add', device: '0000:01:00.0', era: '< ~5.5', fields: { group: 1 }, signals: ['dma-remapping-active'] },
  { line: '[    0.581102] pci 0000:01:00.0: Adding to iommu group 1', kind: 'iommu-group-add', device: '0000:01:00.0', era: '>= ~5.5', fields: { group: 1 } },
  { line: 'pci 0000:05:00.0: Failed to add to iommu group 14: -16', kind: 'iommu-group-add-failed', device: '0000:05:00.0', fields: { group: 14, errno: -16, errnoName: 'EBUSY' } },
  { line: 'pci 0000:05:00.0: Removing from iommu group 14', kind: 'iommu-group-remove', fields: { group: 14 } },
  {
    line: 'pci 0000:00:14.0: Device needs domain type identity, but device 0000:00:14.2 in the same iommu group requires type DMA - using default',
    kind: 'iommu-group-type-conflict',
    fields: { wanted: 'identity', other: '0000:00:14.2', otherType: 'DMA' },
  },
]);

run('VFIO lines', [
  { line: 'VFIO - User Level meta-driver version: 0.3', kind: 'vfio-loaded', fields: { version: '0.3' }, signals: ['vfio-present'] },
  { line: 'vfio_pci: add [10de:1e87[ffffffff:ffffffff]] class 0x000000/00000000', kind: 'vfio-pci-id-added', fields: { id: '10de:1e87', subvendor: 'ffffffff' } },
  { line: 'vfio_pci: invalid id string "10de:xyz"', kind: 'vfio-pci-id-error', fields: { idString: '10de:xyz' } },
  { line: 'vfio-pci 0000:01:01.7: 8086:19e3 exists in vfio-pci device denylist, driver probing disallowed.', kind: 'vfio-denylisted', device: '0000:01:01.7', fields: { id: '8086:19e3' } },
  { line: 'vfio-pci 0000:01:01.7: device denylist disabled - allowing device 8086:19e3.', kind: 'vfio-denylist-override', fields: { id: '8086:19e3' } },
  { line: 'vfio_pci: device denylist disabled.', kind: 'vfio-denylist-override', fields: { id: null } },
  {
    line: 'vfio_iommu_type1_attach_group: No interrupt remapping support.  Use the module param "allow_unsafe_interrupts" to enable VFIO IOMMU support on this platform',
    kind: 'vfio-no-irq-remap',
    era: null,
    fields: { function: 'vfio_iommu_type1_attach_group' },
    signals: ['irq-remapping-unavailable'],
  },
  {
    line: 'vfio_iommu_type1_open: No interrupt remapping support.  Use the module param "allow_unsafe_interrupts" to enable VFIO IOMMU support on this platform',
    kind: 'vfio-no-irq-remap',
    era: '3.x',
  },
  {
    line: 'iommufd: MSI interrupts are not secure, they cannot be isolated by the platform. Check that platform features like interrupt remapping are enabled. Use the "allow_unsafe_interrupts" module parameter to override',
    kind: 'vfio-unsafe-msi',
    era: '>= 6.2',
  },
  { line: 'vfio-pci 0000:03:00.0: Adding kernel taint for vfio-noiommu group on device', kind: 'vfio-noiommu-taint', device: '0000:03:00.0' },
  { line: 'vfio-pci 0000:01:00.0: vfio_ecap_init: hiding ecap 0x19@0x900', kind: 'vfio-hiding-ecap', era: '< 6.5', fields: { capability: '0x19', offset: '0x900' } },
  { line: 'vfio-pci 0000:05:00.0: Masking broken INTx support', kind: 'vfio-intx-masked', device: '0000:05:00.0' },
  { line: 'vfio-pci 0000:01:00.0: vfio_bar_restore: reset recovery - restoring BARs', kind: 'vfio-bar-restore' },
  { line: 'Jan 31 09:12:03 server kernel: vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)', kind: 'vfio-device-enabled', device: '0000:01:00.0', fields: { from: '0000', to: '0003' } },
  { line: 'vfio-pci 0000:01:00.0: vgaarb: changed VGA decodes: olddecodes=io+mem,decodes=io+mem:owns=none', kind: 'vgaarb-decodes', fields: { decodes: 'io+mem', owns: 'none' } },
  { line: 'vfio-pci 0000:01:00.0: not ready 1023ms after FLR; waiting', kind: 'reset-not-ready', device: '0000:01:00.0', fields: { ms: 1023, after: 'FLR', outcome: 'waiting' }, severity: 'warning' },
  { line: 'vfio-pci 0000:01:00.0: not ready 65535ms after FLR; giving up', kind: 'reset-not-ready', fields: { outcome: 'giving up' }, severity: 'error' },
  { line: 'pci 0000:02:00.0: not ready 1023ms after bus reset; waiting', kind: 'reset-not-ready', fields: { after: 'bus reset' } },
  { line: "[  689.396614] vfio-pci 0000:0f:00.0: Unsupported reset method 'device_specific'", kind: 'reset-method-unsupported', device: '0000:0f:00.0', era: '>= 5.15', fields: { method: 'device_specific' } },
  { line: 'vfio: Unable to power on device, stuck in D3', kind: 'vfio-stuck-in-d3', device: null },
  { line: 'vfio-pci 0000:01:00.0: Unable to change power state from D3cold to D0, device inaccessible', kind: 'power-state-stuck', fields: { from: 'D3cold', to: 'D0' } },
  { line: '[ 6708.659672] vfio-pci: probe of 0000:65:00.0 failed with error -22', kind: 'probe-failed', device: '0000:65:00.0', fields: { probeDriver: 'vfio-pci', errno: -22, errnoName: 'EINVAL', errnoText: 'Invalid argument' } },
  { line: 'vfio-pci 0000:01:01.7: probe with driver vfio-pci failed with error -22', kind: 'probe-failed', device: '0000:01:01.7', fields: { probeDriver: 'vfio-pci', errnoName: 'EINVAL' } },
  { line: 'snd_hda_intel 0000:01:00.1: probe with driver snd_hda_intel failed with error -16', kind: 'probe-failed', fields: { errnoName: 'EBUSY' } },
  { line: '[  365.159219] vfio_pin_pages_remote: RLIMIT_MEMLOCK (4194304) exceeded', kind: 'vfio-memlock-exceeded', fields: { limitBytes: 4194304 } },
]);

run('PCI resources, enumeration, ACS, boot VGA, AER', [
  {
    line: "vfio-pci 0000:c3:00.0: BAR 0: can't reserve [mem 0x2800000000-0x2fffffffff 64bit pref]",
    kind: 'bar-cant-reserve',
    device: '0000:c3:00.0',
    fields: { bar: 0, space: 'mem', start: '0x2800000000', end: '0x2fffffffff', attributes: '64bit pref' },
  },
  { line: "pci 0000:01:00.0: can't claim BAR 0 [mem 0xf6000000-0xf6ffffff]: no compatible bridge window", kind: 'bar-claim-failed', fields: { bar: 0, reason: 'no compatible bridge window' } },
  { line: 'pci 0000:00:1c.0: BAR 14: no space for [mem size 0x00200000]', kind: 'bar-assign-failed', fields: { bar: 14 } },
  { line: 'pci 0000:00:1c.0: BAR 14: failed to assign [mem size 0x00200000]', kind: 'bar-assign-failed' },
  { line: "pci 0000:04:00.0: BAR 0 [mem size 0x400000000 64bit pref]: can't assign; no space", kind: 'bar-assign-failed', fields: { bar: 0 } },
  { line: 'pci 0000:01:00.0: [10de:1e87] type 00 class 0x030000', kind: 'pci-device', device: '0000:01:00.0', era: null, fields: { id: '10de:1e87', class: '0x030000', headerType: '00' } },
  { line: 'pci 0000:01:00.0: [10de:1e87] type 00 class 0x030000 PCIe Legacy Endpoint', kind: 'pci-device', era: '>= ~6.8', fields: { portType: 'PCIe Legacy Endpoint' } },
  { line: 'pci 0000:00:1c.0: Intel PCH root port ACS workaround enabled', kind: 'acs-quirk' },
  { line: 'pci 0000:00:01.0: Configured ACS to 0x1d', kind: 'acs-configured', era: '>= 6.11', fields: { ctrl: '0x1d' } },
  { line: "PCI: Can't parse ACS command line parameter", kind: 'acs-cmdline-invalid' },
  { line: 'Warning: PCIe ACS overrides enabled; This may allow non-IOMMU protected peer-to-peer DMA', kind: 'acs-override-enabled' },
  { line: 'pci 0000:03:00.0: Enabling fixed DMA alias to 00.1', kind: 'dma-alias', fields: { alias: '00.1' } },
  { line: 'pci 0000:00:02.0: vgaarb: setting as boot VGA device', kind: 'boot-vga', device: '0000:00:02.0', fields: { bootVga: true } },
  { line: 'pci 0000:00:02.0: Video device with shadowed ROM at [mem 0x000c0000-0x000dffff]', kind: 'boot-vga', fields: { bootVga: true } },
  { line: 'pci 0000:01:00.0: vgaarb: VGA device added: decodes=io+mem,owns=none,locks=none', kind: 'boot-vga', fields: { bootVga: false, owns: 'none' } },
  { line: 'vfio-pci 0000:01:00.0: Invalid PCI ROM header signature: expecting 0xaa55, got 0xffff', kind: 'pci-rom-invalid', fields: { got: '0xffff' } },
  { line: 'pcieport 0000:00:01.0: AER: Uncorrected (Fatal) error received: 0000:01:00.0', kind: 'aer-uncorrected', device: '0000:01:00.0', fields: { fatal: true } },
  { line: 'vfio-pci 0000:01:00.0: PCIe Bus Error: severity=Uncorrected (Non-Fatal), type=Transaction Layer, (Requester ID)', kind: 'aer-uncorrected', device: '0000:01:00.0', fields: { fatal: false } },
]);

run('Lockdown and Secure Boot', [
  { line: 'Kernel is locked down from EFI Secure Boot mode; see man kernel_lockdown.7', kind: 'lockdown-enabled', fields: { reason: 'EFI Secure Boot mode', secureBoot: true }, signals: ['lockdown-active'] },
  { line: 'Kernel is locked down from command line; see man kernel_lockdown.7', kind: 'lockdown-enabled', fields: { reason: 'command line', secureBoot: false } },
  { line: 'Kernel is locked down from Kernel configuration; see man kernel_lockdown.7', kind: 'lockdown-enabled', fields: { reason: 'Kernel configuration' } },
  { line: 'Lockdown: modprobe: unsigned module loading is restricted; see man kernel_lockdown.7', kind: 'lockdown-denied', fields: { process: 'modprobe', what: 'unsigned module loading' } },
  { line: '[Tue Feb 4 10:18:12 2026] Lockdown: Loading of unsigned modules is restricted; see man kernel_lockdown.7', kind: 'lockdown-denied', fields: { process: null, what: 'Loading of unsigned modules' } },
  { line: 'Lockdown: systemd: hibernation is restricted; see man kernel_lockdown.7', kind: 'lockdown-denied', fields: { what: 'hibernation' } },
  { line: 'secureboot: Secure boot enabled', kind: 'secure-boot-state', fields: { state: 'enabled' } },
  { line: 'Secure boot disabled', kind: 'secure-boot-state', fields: { state: 'disabled' } },
  { line: 'Secure boot could not be determined (mode 1)', kind: 'secure-boot-state', fields: { state: 'unknown' } },
  { line: 'error: bad shim signature.', kind: 'boot-signature-rejected' },
]);

run('Boot framebuffers and initcall blacklisting', [
  { line: '[drm] Initialized simpledrm 1.0.0 for simple-framebuffer.0 on minor 0', kind: 'boot-framebuffer', fields: { driver: 'simpledrm', platformDevice: 'simple-framebuffer.0' }, signals: ['boot-framebuffer'] },
  { line: '[drm] Initialized simpledrm 1.0.0 20200625 for simple-framebuffer.0 on minor 0', kind: 'boot-framebuffer', fields: { driver: 'simpledrm', version: '1.0.0' } },
  { line: 'efifb: framebuffer at 0xe0000000, using 3072k, total 3072k', kind: 'boot-framebuffer', fields: { driver: 'efifb', base: '0xe0000000' } },
  { line: 'vesafb: framebuffer at 0xf4000000, mapped to 0x00000000f7b2bd7c, using 3072k, total 16384k', kind: 'boot-framebuffer', fields: { driver: 'vesafb' } },
  { line: 'fb0: EFI VGA frame buffer device', kind: 'boot-framebuffer', fields: { driver: 'efifb', fb: 0 } },
  { line: 'simple-framebuffer simple-framebuffer.0: [drm] fb0: simpledrmdrmfb frame buffer device', kind: 'boot-framebuffer', fields: { driver: 'simpledrm' } },
  { line: 'fb0: switching to amdgpudrmfb from simple', kind: 'fb-handover', fields: { to: 'amdgpudrmfb', from: 'simple' } },
  { line: 'blacklisting initcall sysfb_init', kind: 'initcall-blacklisted', fields: { initcall: 'sysfb_init' } },
  { line: 'initcall sysfb_init blacklisted', kind: 'initcall-blacklisted', fields: { initcall: 'sysfb_init' } },
  { line: '  2800000000-2801fa3fff : BOOTFB', kind: 'iomem-framebuffer', fields: { name: 'BOOTFB', start: '0x2800000000', end: '0x2801fa3fff' } },
  { line: '    2800000000-2801fa3fff : simpledrm', kind: 'iomem-framebuffer', fields: { name: 'simpledrm' } },
]);

run('Module loading and signatures', [
  { line: 'nvidia: module verification failed: signature and/or required key missing - tainting kernel', kind: 'module-unsigned', fields: { module: 'nvidia' } },
  { line: 'vendor_reset: loading out-of-tree module taints kernel.', kind: 'module-out-of-tree', fields: { module: 'vendor_reset' } },
  { line: 'Loading of unsigned module is rejected', kind: 'module-rejected', fields: { reason: 'unsigned module' } },
  { line: 'Loading of module with unavailable key is rejected', kind: 'module-rejected' },
  { line: 'PKCS#7 signature not signed with a trusted key', kind: 'module-signature-untrusted' },
  { line: "Request for unknown module key 'DKMS module signing key: 5f1c' err -11", kind: 'module-key-rejected', fields: { errno: -11 } },
  { line: 'vfio_pci: Unknown symbol vfio_pci_core_register_device (err -2)', kind: 'module-unknown-symbol', fields: { module: 'vfio_pci', symbol: 'vfio_pci_core_register_device', errno: -2, errnoName: 'ENOENT' } },
  { line: 'vendor_reset: disagrees about version of symbol module_layout', kind: 'module-version-mismatch', fields: { module: 'vendor_reset' } },
  { line: "vfio_pci: unknown parameter 'disable_idle_d3' ignored", kind: 'module-unknown-parameter', fields: { module: 'vfio_pci', parameter: 'disable_idle_d3' } },
  { line: 'modprobe: FATAL: Module vfio_virqfd not found in directory /lib/modules/6.8.12-4-pve', kind: 'module-not-found', fields: { tool: 'modprobe', module: 'vfio_virqfd' } },
  { line: "Jan 31 09:12:02 pve systemd-modules-load[412]: Failed to find module 'vfio_virqfd'", kind: 'module-not-found', fields: { module: 'vfio_virqfd' } },
  { line: "systemd-modules-load[412]: Failed to insert module 'vendor_reset': Key was rejected by service", kind: 'module-insert-failed', fields: { module: 'vendor_reset', reason: 'Key was rejected by service' } },
]);

run('Boot context, firmware virtualization switch, oopses', [
  { line: '[    0.000000] Linux version 6.8.0-48-generic (buildd@lcy02-amd64-010) (x86_64-linux-gnu-gcc-13) #48-Ubuntu SMP PREEMPT_DYNAMIC', kind: 'kernel-version', fields: { release: '6.8.0-48-generic' } },
  { line: '[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-6.8.0-48-generic root=UUID=2a3d ro quiet splash intel_iommu=on iommu=pt', kind: 'kernel-cmdline', fields: { cmdline: 'BOOT_IMAGE=/boot/vmlinuz-6.8.0-48-generic root=UUID=2a3d ro quiet splash intel_iommu=on iommu=pt' } },
  { line: 'Kernel command line: BOOT_IMAGE=/vmlinuz root=/dev/sda1 amd_iommu=on', kind: 'kernel-cmdline', fields: { cmdline: 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 amd_iommu=on' } },
  { line: 'Unknown kernel command line parameters "pcie_acs_override=downstream,multifunction", will be passed to user space.', kind: 'cmdline-unknown-params', fields: { params: ['pcie_acs_override=downstream,multifunction'] } },
  { line: 'DMI: Supermicro X11SPi-TF/X11SPi-TF, BIOS 3.8 11/23/2022', kind: 'dmi', fields: { platform: 'Supermicro X11SPi-TF/X11SPi-TF, BIOS 3.8 11/23/2022' } },
  { line: 'kvm: disabled by bios', kind: 'virtualization-disabled', fields: { byFirmware: true } },
  { line: 'kvm_intel: VMX not enabled (by BIOS) in MSR_IA32_FEAT_CTL', kind: 'virtualization-disabled', fields: { byFirmware: true, feature: 'VMX' } },
  { line: 'kvm_amd: SVM not supported by CPU', kind: 'virtualization-disabled', fields: { byFirmware: false } },
]);

test('every rule has literals it can be found by, a kind and a family', () => {
  for (const r of RULES) {
    assert.ok(r.kind.length > 0);
    const literals = [...r.anchors, ...(r.gated ?? [])];
    assert.ok(literals.length > 0, `rule ${r.kind} needs an anchor or a gated literal`);
    for (const l of literals) assert.ok(l.length >= 4, `rule ${r.kind}: literal ${JSON.stringify(l)} is shorter than 4 bytes`);
    assert.ok(!r.re.global && !r.re.sticky, `rule ${r.kind}: no stateful regex flags`);
  }
});

test('lines that are not passthrough messages decode to nothing', () => {
  for (const line of [
    '',
    'usb 1-4: reset high-speed USB device number 7 using xhci_hcd',
    'pci 0000:00:1f.3: PME# supported from D0 D3hot D3cold',
    'EXT4-fs (nvme0n1p2): mounted filesystem with ordered data mode. Quota mode: none.',
    '\u0000\u0001\u0002garbage\uFFFD\uFFFD',
    '[    1.234567]',
    '{"not": "a journal record"}',
  ]) {
    assert.equal(decodeLine(line), null, line);
  }
});

// decodeLines decodes each distinct message once and copies the event to its later lines: every line
// must still come out exactly as decodeLine makes it, whatever the stamp, the log format or the device.
test('decodeLines gives every repeated message the event decodeLine gives that line', () => {
  const heads = [
    (m: string) => `[  12.000001] ${m}`,
    (m: string) => `[ 3456.5] ${m}`,
    (m: string) => `Jan 31 09:12:02 host kernel: ${m}`,
    (m: string) => `<4>[   99.250000] ${m}`,
    (m: string) => `6,123,4567000,-;${m}`,
    (m: string) => m,
  ];
  const lines: { n: number; text: string }[] = [];
  for (const rule of RULES) {
    for (const example of rule.examples) {
      const message = parsePrefix(example).message;
      // The same text about another device (the memo key must be the message with its device prefix).
      const other = message.replace(/0000:0[0-9]:/, '0000:0a:');
      for (const m of [message, other]) for (const head of heads) lines.push({ n: lines.length * 10 + 1, text: head(m) });
    }
  }
  // Lines ten apart: no two-line message is joined, so each event is its own line's.
  const want = lines.map((l) => decodeLine(l.text, l.n)).filter((e): e is LogEvent => e !== null);
  assert.ok(want.length > lines.length / 2);
  assert.deepEqual(decodeLines(lines), want);
});
