// Intel VT-d (DMAR) lines: DMA and interrupt-remapping faults in every format era, the fault-handler
// and page-table dump lines around them, DMAR table parsing and initialisation, RMRR problems.
//
// Fault format eras (kernel-facts §1.2):
//   < 4.2      two lines: "DMAR:[DMA Read] Request device [bb:dd.f] fault addr X " + "DMAR:[fault reason NN] text"
//              (IR: "INTR-REMAP: Request device [[bb:dd.f] fault index X" + "INTR-REMAP:[fault reason NN] text")
//   4.2-5.4    "DMAR: [DMA Read] Request device [bb:dd.f] fault addr X [fault reason NN] text"
//   5.5-5.13   "… [bb:dd.f] PASID X fault addr X [fault reason NN] text" (PASID ffffffff = none)
//   5.14       "[DMA Read NO_PASID] Request device [0xbb:0xdd.f] fault addr 0xX [fault reason 0xNN] text"
//   >= 5.15    the same without "0x" in the address
// The reason is printed in decimal before 5.14 and in hex (0x) after.

import { formatPciAddress, pciAddressFromParts } from '../../pci/address.js';
import { dmarFaultReason, dmarReasonAdvice, dmarReasonCodeOf } from '../tables/dmar-reasons.js';
import { who } from './engine.js';
import type { Fields, LogEvent, Rule } from './types.js';

const HEX = '[0-9a-fA-F]';

// One regex for every single-line fault form (DMA and IR, 4.2 onwards).
const FAULT = new RegExp(
  `^DMAR: ?\\[(DMA \\w+|INTR-REMAP)(?: (NO_PASID|PASID (?:0x)?(${HEX}+)))?\\] Request device \\[(0x)?(${HEX}{1,2}):(?:0x)?(${HEX}{1,2})\\.([0-7])\\]` +
    ` (?:PASID (${HEX}+) )?fault (addr|index) (0x)?(${HEX}+) ?\\[fault reason (0x)?(${HEX}+)\\] ?(.*)$`,
);
const OLD_DMA_FIRST = new RegExp(`^DMAR: ?\\[(DMA \\w+)\\] Request device \\[(${HEX}{1,2}):(${HEX}{1,2})\\.([0-7])\\] fault addr (${HEX}+)\\s*$`);
const OLD_IR_FIRST = new RegExp(`^INTR-REMAP: Request device \\[\\[(${HEX}{1,2}):(${HEX}{1,2})\\.([0-7])\\] fault index (${HEX}+)\\s*$`);
const REASON_ONLY = /^(DMAR|INTR-REMAP): ?\[fault reason (0x)?([0-9a-fA-F]+)\] ?(.*)$/;
// A fault quoted with its middle cut out ("DMAR: [DMA Read] ... PTE Read access is not set").
const ABBREVIATED = /^DMAR: ?\[(DMA \w+)(?: NO_PASID| PASID \w+)?\] (?:\.\.\.|…) ?(.+)$/;

// Addresses and indexes as printed, lower-case, always with 0x (pre-5.14 kernels print none).
function hexAddr(digits: string): string {
  return `0x${digits.toLowerCase().replace(/^0x/, '')}`;
}

/** Reason fields shared by every fault form. `hex` is whether the log printed the code with 0x. */
export function reasonFields(printedCode: string, hex: boolean, printedText: string | null): Fields {
  const code = parseInt(printedCode, hex ? 16 : 10);
  const r = dmarFaultReason(code);
  const printed = printedText !== null && printedText.trim() !== '' ? printedText.trim() : null;
  return {
    reasonCode: code,
    reasonHex: `0x${code.toString(16).padStart(2, '0')}`,
    reason: r.table === 'unknown' && printed !== null ? printed : r.text,
    reasonPrinted: printed,
    reasonTable: r.table,
    reasonBase: hex ? 'hex' : 'decimal',
  };
}

function faultEra(m: RegExpExecArray): string {
  const isIr = m[1] === 'INTR-REMAP';
  if (m[4] !== undefined) return '5.14';
  if (m[12] !== undefined) return '>= 5.15';
  if (m[8] !== undefined) return '5.5-5.13';
  return isIr ? '4.2-5.13' : '4.2-5.4';
}

/** The requester of a fault line; the kernel prints bus, PCI_SLOT and PCI_FUNC, so it always parses. */
function requesterAddress(bus: string, device: string, fn: string): string {
  const a = pciAddressFromParts(bus, device, fn);
  return a ? formatPciAddress(a) : `${bus}:${device}.${fn}`.toLowerCase();
}

function faultMeaning(f: Fields, device: string | null): string {
  const reason = `${String(f['reason'])} (fault reason ${String(f['reasonHex'])})`;
  const advice = typeof f['reasonCode'] === 'number' ? dmarReasonAdvice(f['reasonCode']) : 'the IOMMU rejected the request';
  if (f['type'] === 'INTR-REMAP') {
    return `VT-d blocked an interrupt from ${who(device)} (interrupt-remapping table index ${String(f['faultIndex'])}): ${reason}; ${advice}.`;
  }
  const access = f['access'] === 'write' ? 'write to' : f['access'] === 'read' ? 'read from' : 'access to';
  const addr = f['address'] ? ` IOVA ${String(f['address'])}` : ' an address';
  return `VT-d blocked a DMA ${access}${addr} by ${who(device)}: ${reason}; ${advice}.`;
}

const faultSeverity = (f: Fields): 'warning' | 'error' => (f['type'] === 'INTR-REMAP' ? 'warning' : 'error');

function accessOf(type: string): 'read' | 'write' | null {
  return /read/i.test(type) ? 'read' : /write/i.test(type) ? 'write' : null;
}

export const INTEL_DMAR_RULES: Rule[] = [
  {
    kind: 'dmar-dma-fault',
    family: 'intel-dmar',
    layer: 'device',
    severity: 'error',
    anchors: ['DMAR'],
    diff: 'dma-fault',
    cause: 'dma-fault',
    examples: [
      'DMAR: [DMA Write] Request device [02:00.0] fault addr 3ffff000 [fault reason 05] PTE Write access is not set',
      'DMAR: [DMA Write] Request device [04:00.0] PASID ffffffff fault addr 69974000 [fault reason 05] PTE Write access is not set',
      'DMAR: [DMA Read] Request device [00:02.0] PASID 1 fault addr 7fe00000 [fault reason 89] SM: Present bit in PASID Table Entry is clear',
    ],
    re: FAULT,
    signals: ['dma-fault'],
    era: (m) => faultEra(m),
    fields: (m) => {
      const isIr = m[1] === 'INTR-REMAP';
      // New bracket form "PASID 0x1a", old form "PASID 1a" after the address; ffffffff meant "none".
      const pasidText = m[3] ?? m[8];
      const pasid = pasidText !== undefined && !/^f{8}$/i.test(pasidText) ? hexAddr(pasidText) : null;
      const value = hexAddr(m[11] as string);
      return {
        type: m[1] as string,
        access: isIr ? null : accessOf(m[1] as string),
        requester: requesterAddress(m[5] as string, m[6] as string, m[7] as string),
        pasid,
        address: isIr ? null : value,
        faultIndex: isIr ? value : null,
        ...reasonFields(m[13] as string, m[12] !== undefined, m[14] ?? null),
        partial: false,
      };
    },
    device: (_m, _ctx, f) => f['requester'] as string,
    meaning: (f, _ctx, device) => faultMeaning(f, device),
    severityOf: faultSeverity,
  },
  {
    kind: 'dmar-dma-fault',
    family: 'intel-dmar',
    layer: 'device',
    severity: 'error',
    anchors: ['DMAR'],
    diff: 'dma-fault',
    cause: 'dma-fault',
    examples: [
      '[  100.000001] DMAR:[DMA Read] Request device [01:00.0] fault addr 7f3c0000 ',
      'DMAR:[DMA Write] Request device [02:00.0] fault addr 1000 ',
    ],
    re: OLD_DMA_FIRST,
    signals: ['dma-fault'],
    era: '< 4.2',
    fields: (m) => ({
      type: m[1] as string,
      access: accessOf(m[1] as string),
      requester: requesterAddress(m[2] as string, m[3] as string, m[4] as string),
      pasid: null,
      address: hexAddr(m[5] as string),
      faultIndex: null,
      reasonCode: null,
      reasonHex: null,
      reason: null,
      reasonPrinted: null,
      reasonTable: null,
      reasonBase: 'decimal',
      partial: true,
    }),
    device: (_m, _ctx, f) => f['requester'] as string,
    meaning: (f, _ctx, device) =>
      `VT-d blocked a DMA ${f['access'] === 'write' ? 'write to' : 'read from'} IOVA ${String(f['address'])} by ${who(device)}; the reason is on the next "DMAR:[fault reason …]" line (kernels before 4.2 print it separately).`,
  },
  {
    kind: 'dmar-dma-fault',
    family: 'intel-dmar',
    layer: 'device',
    severity: 'warning',
    anchors: ['INTR-REMAP'],
    diff: 'dma-fault',
    examples: [
      '[  100.100000] INTR-REMAP: Request device [[00:1f.0] fault index 4b',
    ],
    re: OLD_IR_FIRST,
    signals: ['irq-remap-fault'],
    era: '< 4.2',
    fields: (m) => ({
      type: 'INTR-REMAP',
      access: null,
      requester: requesterAddress(m[1] as string, m[2] as string, m[3] as string),
      pasid: null,
      address: null,
      faultIndex: hexAddr(m[4] as string),
      reasonCode: null,
      reasonHex: null,
      reason: null,
      reasonPrinted: null,
      reasonTable: null,
      reasonBase: 'decimal',
      partial: true,
    }),
    device: (_m, _ctx, f) => f['requester'] as string,
    meaning: (f, _ctx, device) =>
      `VT-d blocked an interrupt from ${who(device)} (table index ${String(f['faultIndex'])}); the reason is on the next "INTR-REMAP:[fault reason …]" line.`,
  },
  {
    kind: 'dmar-fault-reason',
    family: 'intel-dmar',
    layer: 'device',
    severity: 'warning',
    anchors: ['DMAR', 'INTR-REMAP'],
    diff: null,
    examples: [
      '[  100.000002] DMAR:[fault reason 06] PTE Read access is not set',
      '[  100.100001] INTR-REMAP:[fault reason 37] Blocked a compatibility format interrupt request',
      'DMAR:[fault reason 12] non-zero reserved fields in PTE',
    ],
    re: REASON_ONLY,
    era: '< 4.2',
    fields: (m) => ({ type: m[1] === 'INTR-REMAP' ? 'INTR-REMAP' : 'DMA', ...reasonFields(m[3] as string, m[2] !== undefined, m[4] ?? null) }),
    device: () => null,
    meaning: (f) => `Second half of an old-format VT-d fault: ${String(f['reason'])} (fault reason ${String(f['reasonHex'])}).`,
  },
  {
    kind: 'dmar-dma-fault',
    family: 'intel-dmar',
    layer: 'device',
    severity: 'error',
    anchors: ['DMAR'],
    diff: 'dma-fault',
    cause: 'dma-fault',
    examples: [
      'DMAR: [DMA Read] ... PTE Read access is not set',
    ],
    re: ABBREVIATED,
    signals: ['dma-fault'],
    era: (m) => (/NO_PASID|PASID/.test(m[0]) ? '>= 5.14' : '< 5.14'),
    fields: (m) => {
      const code = dmarReasonCodeOf(m[2] as string);
      const base = code === null ? {} : reasonFields(code.toString(16), true, m[2] as string);
      return {
        type: m[1] as string,
        access: accessOf(m[1] as string),
        requester: null,
        pasid: null,
        address: null,
        faultIndex: null,
        reasonCode: null,
        reasonHex: null,
        reason: (m[2] as string).trim(),
        reasonPrinted: (m[2] as string).trim(),
        reasonTable: null,
        reasonBase: null,
        ...base,
        partial: true,
      };
    },
    device: () => null,
    meaning: (f) => `${faultMeaning(f, null)} (The line was quoted with its device and address cut out.)`,
  },
  {
    kind: 'dmar-fault-status',
    family: 'intel-dmar',
    layer: 'device',
    severity: 'warning',
    anchors: ['DRHD: handling fault status'],
    diff: 'dma-fault',
    cause: 'dma-fault',
    examples: [
      'DMAR: DRHD: handling fault status reg 2',
    ],
    re: /^(?:DMAR: )?DRHD: handling fault status reg ([0-9a-fA-F]+)/,
    signals: ['dma-fault'],
    fields: (m) => ({ status: hexAddr(m[1] as string) }),
    device: () => null,
    meaning: 'The VT-d fault interrupt fired; the fault records follow on the next lines.',
  },
  {
    kind: 'dmar-faults-suppressed',
    family: 'intel-dmar',
    layer: 'device',
    severity: 'warning',
    anchors: ['dmar_fault'],
    diff: 'dma-fault',
    cause: 'dma-fault',
    examples: [
      'dmar_fault: 12 callbacks suppressed',
    ],
    re: /dmar_fault: (\d+) callbacks suppressed/,
    signals: ['dma-fault'],
    fields: (m) => ({ count: Number(m[1]) }),
    device: () => null,
    meaning: (f) => `${String(f['count'])} more VT-d fault reports were dropped by rate limiting: the real number of faults is higher than the lines show.`,
  },
  // Page-table dump after a fault (CONFIG_DMAR_DEBUG, 5.17+).
  {
    kind: 'dmar-pte-dump',
    family: 'intel-dmar',
    layer: 'device',
    severity: 'info',
    anchors: ['DMAR'],
    diff: null,
    examples: [
      'DMAR: Dump dmar0 table entries for IOVA 0x7f3c0000',
      'DMAR: root entry: 0x0000000103d1a001',
      'DMAR: scalable mode root entry: hi 0x0000000000000000, low 0x000000010b6f3001',
    ],
    re: /^DMAR: (?:Dump (\S+) table entries for IOVA (0x[0-9a-fA-F]+)|(scalable mode root entry|root entry|context entry): (.*)|pasid table entry\[(\d+)\]: (0x[0-9a-fA-F]+)|pte level: (\d+), pte value: (0x[0-9a-fA-F]+)|page table not present at level (\d+)|(root|context|legacy mode page|scalable mode page) table is not present)$/,
    era: '>= 5.17',
    fields: (m) => ({
      entry: m[1] !== undefined ? 'dump-start' : (m[3] ?? (m[5] !== undefined ? 'pasid table entry' : m[7] !== undefined ? 'pte' : m[9] !== undefined ? 'not-present' : `${m[10] ?? ''} table not present`)),
      table: m[1] ?? null,
      iova: m[2] ?? null,
      value: m[4] ?? m[6] ?? m[8] ?? null,
      level: m[7] !== undefined ? Number(m[7]) : m[9] !== undefined ? Number(m[9]) : null,
    }),
    device: () => null,
    meaning: (f) =>
      f['entry'] === 'dump-start'
        ? `VT-d page-table walk for the faulting IOVA ${String(f['iova'])} follows (kernel built with DMAR debugging).`
        : /not present/.test(String(f['entry']))
          ? `Page-table walk: the translation stops here (${String(f['entry'])}${f['level'] !== null ? ` at level ${String(f['level'])}` : ''}): the IOVA is not mapped.`
          : `Page-table walk entry (${String(f['entry'])}).`,
  },
  {
    kind: 'dmar-pte-dump',
    family: 'intel-dmar',
    layer: 'device',
    severity: 'info',
    anchors: ['DMAR'],
    diff: null,
    examples: [
      'DMAR: PTE not present at level 2',
      'DMAR: root table entry is not present',
    ],
    re: /^DMAR: (?:PTE not present at level (\d+)|root table entry is not present)$/,
    era: '5.17 to 6.1x',
    fields: (m) => ({ entry: 'not-present', table: null, iova: null, value: null, level: m[1] !== undefined ? Number(m[1]) : null }),
    device: () => null,
    meaning: 'Page-table walk after a fault: the translation stops here, the IOVA is not mapped.',
  },
  // Initialisation and command-line options.
  {
    kind: 'intel-iommu-cmdline-on',
    family: 'intel-dmar',
    layer: 'kernel',
    severity: 'info',
    anchors: ['DMAR: IOMMU enabled'],
    diff: null,
    examples: [
      '[    0.151960] DMAR: IOMMU enabled',
      '[    0.100000] DMAR: IOMMU enabled',
      'DMAR: IOMMU enabled',
    ],
    re: /^DMAR: IOMMU enabled$/,
    signals: ['dma-remapping-requested'],
    device: () => null,
    meaning:
      'intel_iommu=on was parsed from the kernel command line. On its own this does not prove VT-d works: it is printed even when the firmware has VT-d off. Proof is the "DMAR: Intel(R) Virtualization Technology for Directed I/O" line, "Adding to iommu group" lines, or entries in /sys/kernel/iommu_groups.',
  },
  {
    kind: 'intel-iommu-cmdline-off',
    family: 'intel-dmar',
    layer: 'kernel',
    severity: 'warning',
    anchors: ['DMAR: IOMMU disabled'],
    diff: null,
    cause: 'iommu-disabled-cmdline',
    examples: [
      'DMAR: IOMMU disabled',
    ],
    re: /^DMAR: IOMMU disabled$/,
    signals: ['dma-remapping-disabled'],
    device: () => null,
    meaning: 'intel_iommu=off is on the kernel command line: VT-d DMA remapping is switched off, so VFIO cannot assign devices.',
  },
  {
    kind: 'intel-iommu-option',
    family: 'intel-dmar',
    layer: 'kernel',
    severity: 'info',
    anchors: ['DMAR', 'IOMMU'],
    gated: ['Disable GFX device mapping', 'Disable supported super page', 'calable mode', 'not forcing on after tboot', 'deprecated; use'],
    diff: null,
    examples: [
      'DMAR: Disable GFX device mapping',
      'DMAR: Intel-IOMMU: scalable mode supported',
      'DMAR: Scalable mode is disallowed',
    ],
    re: /^(?:DMAR: )?(?:Intel-IOMMU: )?(Disable GFX device mapping|Disable supported super page|Enable scalable mode if hardware supports|scalable mode supported|Scalable mode is disallowed|not forcing on after tboot\..*|intel_iommu=(forcedac|strict) deprecated; use (\S+) instead)$/,
    fields: (m) => ({
      option: OPTION_NAMES[m[1] as string] ?? (m[2] !== undefined ? m[2] : (m[1] as string)),
      deprecated: m[2] !== undefined,
      replacement: m[3] ?? null,
    }),
    device: () => null,
    meaning: (f) =>
      f['deprecated'] === true
        ? `intel_iommu=${String(f['option'])} is deprecated; the kernel asks for ${String(f['replacement'])} instead.`
        : `intel_iommu option "${String(f['option'])}" was applied.`,
  },
  {
    kind: 'dmar-table',
    family: 'intel-dmar',
    layer: 'firmware',
    severity: 'info',
    anchors: ['DMAR: Host address width'],
    diff: null,
    examples: [
      'DMAR: Host address width 46',
    ],
    re: /^DMAR: Host address width (\d+)/,
    signals: ['iommu-table-present'],
    fields: (m) => ({ hostAddressWidth: Number(m[1]) }),
    device: () => null,
    meaning:
      'The firmware provides a DMAR ACPI table (VT-d is exposed). This line is printed even when DMA remapping is off, because interrupt remapping uses the same table.',
  },
  {
    kind: 'dmar-drhd',
    family: 'intel-dmar',
    layer: 'firmware',
    severity: 'info',
    anchors: ['DMAR: DRHD base'],
    diff: null,
    examples: [
      'DMAR: DRHD base: 0x000000fed90000 flags: 0x1',
    ],
    re: /^DMAR: DRHD base: (0x[0-9a-fA-F]+) flags: (0x[0-9a-fA-F]+)/,
    signals: ['iommu-table-present'],
    fields: (m) => ({ base: (m[1] as string).toLowerCase(), flags: (m[2] as string).toLowerCase(), includePciAll: (parseInt(m[2] as string, 16) & 1) === 1 }),
    device: () => null,
    meaning: (f) =>
      `The DMAR table lists a VT-d unit at ${String(f['base'])}${f['includePciAll'] === true ? ' covering every PCI device not listed elsewhere' : ''}. Table parsing alone does not mean DMA remapping is on.`,
  },
  {
    kind: 'dmar-rmrr',
    family: 'intel-dmar',
    layer: 'firmware',
    severity: 'info',
    anchors: ['DMAR: RMRR base'],
    diff: null,
    examples: [
      'DMAR: RMRR base: 0x0000003e2e0000 end: 0x0000003e2fffff',
    ],
    re: /^DMAR: RMRR base: (0x[0-9a-fA-F]+) end: (0x[0-9a-fA-F]+)/,
    fields: (m) => ({ base: (m[1] as string).toLowerCase(), end: (m[2] as string).toLowerCase() }),
    device: () => null,
    meaning: (f) =>
      `The firmware reserves ${String(f['base'])}-${String(f['end'])} for device DMA it does itself (RMRR). A device using an RMRR may be refused for assignment or fault when the region is not mapped.`,
  },
  {
    kind: 'dmar-unit',
    family: 'intel-dmar',
    layer: 'firmware',
    severity: 'info',
    anchors: ['DMAR: dmar'],
    diff: null,
    examples: [
      'DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap 1c0000c40660462 ecap f050da',
      'DMAR: dmar1: reg_base_addr fbffc000 ver 1:0 cap d2008c40660462 ecap f050d2',
    ],
    re: /^DMAR: (dmar\d+): reg_base_addr ([0-9a-fA-F]+) ver (\d+):(\d+) cap ([0-9a-fA-F]+) ecap ([0-9a-fA-F]+)/,
    signals: ['iommu-hardware-present'],
    fields: (m) => decodeCapEcap(m[1] as string, m[2] as string, `${m[3] as string}:${m[4] as string}`, m[5] as string, m[6] as string),
    device: () => null,
    meaning: (f) =>
      `VT-d unit ${String(f['unit'])}: interrupt remapping ${f['irSupported'] === true ? 'supported' : 'NOT supported'} (ECAP bit 3)${f['eim'] === true ? ', x2APIC mode supported' : ''}${f['scalableMode'] === true ? ', scalable mode' : ''}${f['cachingMode'] === true ? '; caching mode is set, so this is an emulated IOMMU inside a VM' : ''}. Printed whenever the table is parsed, even with DMA remapping off.`,
  },
  {
    kind: 'dmar-active',
    family: 'intel-dmar',
    layer: 'kernel',
    severity: 'info',
    anchors: ['Virtualization Technology'],
    diff: null,
    examples: [
      'DMAR: Intel(R) Virtualization Technology for Directed I/O',
      'PCI-DMA: Intel(R) Virtualization Technology for Directed I/O',
    ],
    re: /^(DMAR|PCI-DMA): Intel\(R\) Virtualization Technology for Directed I\/O/,
    signals: ['dma-remapping-active'],
    era: (m) => (m[1] === 'PCI-DMA' ? '2.6.2x' : null),
    device: () => null,
    meaning: 'VT-d DMA remapping finished initialising: the Intel IOMMU is active.',
  },
  {
    kind: 'dmar-platform-optin',
    family: 'intel-dmar',
    layer: 'kernel',
    severity: 'notice',
    anchors: ['Intel-IOMMU force enabled'],
    diff: null,
    examples: [
      'DMAR: Intel-IOMMU force enabled due to platform opt in',
    ],
    re: /Intel-IOMMU force enabled due to platform opt in/,
    signals: ['dma-remapping-active'],
    device: () => null,
    meaning:
      'The firmware asked for DMA protection (Kernel DMA Protection / Thunderbolt), so VT-d was forced on. If it was off by default (not by intel_iommu=off), host devices get passthrough (identity) domains; VFIO still works.',
  },
  {
    kind: 'dmar-gfx-disabled',
    family: 'intel-dmar',
    layer: 'isolation',
    severity: 'notice',
    anchors: ['Disabling IOMMU for graphics'],
    diff: null,
    examples: [
      'pci 0000:00:02.0: DMAR: Disabling IOMMU for graphics on this chipset',
    ],
    re: /DMAR: Disabling IOMMU for graphics on this chipset/,
    meaning: (_f, _ctx, device) => `A chipset quirk turned off IOMMU translation for the integrated GPU ${device ?? ''}; it cannot be assigned to a VM with isolation.`.replace('  ', ' '),
  },
  {
    kind: 'dmar-feature-inconsistent',
    family: 'intel-dmar',
    layer: 'kernel',
    severity: 'notice',
    anchors: ['DMAR: IOMMU feature'],
    diff: null,
    examples: [
      'DMAR: IOMMU feature pgsel_inv inconsistent',
    ],
    re: /^DMAR: IOMMU feature (\S+) inconsistent/,
    fields: (m) => ({ feature: m[1] as string }),
    device: () => null,
    meaning: (f) => `The VT-d units disagree about feature ${String(f['feature'])}; the kernel uses the common subset.`,
  },
  {
    kind: 'rmrr-firmware-bug',
    family: 'intel-dmar',
    layer: 'firmware',
    severity: 'warning',
    anchors: ['RMRR'],
    diff: 'firmware-bug',
    examples: [
      '[    0.098794] DMAR: [Firmware Bug]: Your BIOS is broken; bad RMRR [0x00000000000e8000-0x00000000000e8fff]',
      '[    0.098731] DMAR: [Firmware Bug]: No firmware reserved region can cover this RMRR [0x00000000000e8000-0x00000000000e8fff], contact BIOS vendor for fixes',
    ],
    re: /\[Firmware Bug\]: (?:Your BIOS is broken; bad RMRR|No firmware reserved region can cover this RMRR) \[(0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)\]/,
    signals: ['firmware-bug'],
    fields: (m) => ({
      start: (m[1] as string).toLowerCase(),
      end: (m[2] as string).toLowerCase(),
      problem: /bad RMRR/.test(m[0]) ? 'bad RMRR' : 'RMRR not in a firmware-reserved region',
    }),
    device: () => null,
    meaning: (f) =>
      `The firmware's RMRR ${String(f['start'])}-${String(f['end'])} is malformed (${String(f['problem'])}). Devices tied to it may be refused for passthrough ("ineligible … RMRR") or fault; a BIOS update, a different slot or a relaxable-RMRR kernel are the ways out.`,
  },
  {
    kind: 'rmrr-blocked',
    family: 'intel-dmar',
    layer: 'firmware',
    severity: 'error',
    anchors: ['ineligible for IOMMU domain attach'],
    diff: null,
    cause: 'rmrr-blocked',
    examples: [
      '[  116.814073] vfio-pci 0000:0b:00.0: Device is ineligible for IOMMU domain attach due to platform RMRR requirement.  Contact your platform vendor.',
    ],
    re: /Device is ineligible for IOMMU domain attach due to platform RMRR requirement/,
    era: '3.17 to ~6.4',
    meaning: (_f, _ctx, device) =>
      `VFIO was refused ${who(device)}: the firmware ties it to an RMRR (memory the firmware keeps using for DMA), and the Intel IOMMU driver will not hand such a device to a VM. QEMU then reports "failed to set iommu for container: Operation not permitted".`,
  },
  {
    kind: 'rmrr-blocked',
    family: 'iommu',
    layer: 'firmware',
    severity: 'error',
    anchors: ['1:1 IOMMU mapping'],
    diff: null,
    cause: 'rmrr-blocked',
    examples: [
      'vfio-pci 0000:01:00.0: Firmware has requested this device have a 1:1 IOMMU mapping, rejecting configuring the device without a 1:1 mapping. Contact your platform vendor.',
    ],
    re: /Firmware has requested this device have a 1:1 IOMMU mapping, rejecting configuring the device without a 1:1 mapping/,
    era: '>= ~6.5',
    meaning: (_f, _ctx, device) =>
      `VFIO was refused ${who(device)}: the firmware requires an identity (1:1) mapping for it (an Intel RMRR or AMD IVMD entry), so it cannot be given to a VM. Check the firmware (e.g. pre-boot DMA protection, IVMD ranges) or the slot.`,
  },
  {
    kind: 'acpi-dmar-table',
    family: 'intel-dmar',
    layer: 'firmware',
    severity: 'info',
    anchors: ['DMAR'],
    diff: null,
    examples: [
      'ACPI: DMAR 0x000000006D3F6000 000128 (v01 ALASKA A M I    00000001 INTL 20091013)',
      '[    0.010317] ACPI: DMAR 0x000000007A8E7000 0000A8 (v01 INTEL  EDK2     00000002      01000013)',
    ],
    re: /^ACPI: (?:Reserving )?DMAR(?: 0x([0-9a-fA-F]+)| table memory at)/,
    signals: ['iommu-table-present'],
    fields: (m) => ({ address: m[1] !== undefined ? hexAddr(m[1]) : null }),
    device: () => null,
    meaning: 'The firmware provides the DMAR ACPI table: VT-d is exposed by the platform.',
  },
];

const OPTION_NAMES: Record<string, string> = {
  'Disable GFX device mapping': 'igfx_off',
  'Disable supported super page': 'sp_off',
  'Enable scalable mode if hardware supports': 'sm_on',
  'scalable mode supported': 'sm_on',
  'Scalable mode is disallowed': 'sm_off',
};

function bit(v: bigint, n: number): boolean {
  return ((v >> BigInt(n)) & 1n) === 1n;
}

/** CAP/ECAP bits that matter for passthrough (kernel-facts §10). */
export function decodeCapEcap(unit: string, base: string, version: string, capHex: string, ecapHex: string): Fields {
  const cap = BigInt(`0x${capHex}`);
  const ecap = BigInt(`0x${ecapHex}`);
  return {
    unit,
    regBase: hexAddr(base),
    version,
    cap: capHex.toLowerCase(),
    ecap: ecapHex.toLowerCase(),
    irSupported: bit(ecap, 3),
    eim: bit(ecap, 4),
    queuedInvalidation: bit(ecap, 1),
    passThrough: bit(ecap, 6),
    deviceTlb: bit(ecap, 2),
    scalableMode: bit(ecap, 43),
    pasid: bit(ecap, 40),
    postedInterrupts: bit(cap, 59),
    cachingMode: bit(cap, 7),
  };
}

/**
 * Joins the two halves of a pre-4.2 fault ("… fault addr X " then "DMAR:[fault reason NN] text") into
 * one event. Returns null when the second event is not the reason line for the first.
 */
export function joinOldFault(first: LogEvent, second: LogEvent): LogEvent | null {
  if (first.kind !== 'dmar-dma-fault' || first.fields['partial'] !== true || first.era !== '< 4.2') return null;
  if (second.kind !== 'dmar-fault-reason') return null;
  const firstIr = first.fields['type'] === 'INTR-REMAP';
  const secondIr = second.fields['type'] === 'INTR-REMAP';
  if (firstIr !== secondIr) return null;
  const { type: _type, ...reason } = second.fields;
  const fields: Fields = { ...first.fields, ...reason, partial: false };
  return {
    ...first,
    fields,
    severity: firstIr ? 'warning' : 'error',
    meaning: faultMeaning(fields, first.device),
    lines: [...first.lines, ...second.lines],
    raw: `${first.raw}\n${second.raw}`,
  };
}
