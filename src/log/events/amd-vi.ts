// AMD-Vi lines: the event log (IO_PAGE_FAULT and the other event types, in every format since 2.6.2x,
// including the 4.16–5.4 split over two lines and the segment-qualified device= of 5.19+), and the
// initialisation and error lines of the AMD IOMMU driver.

import { normalisePciAddress } from '../../pci/address.js';
import { decodeIoPageFaultFlags } from '../tables/amd-flags.js';
import { who } from './engine.js';
import type { Fields, Rule, RuleContext } from './types.js';

/** Event type codes (amd_iommu_types.h), by the name the kernel prints. */
export const AMD_EVENT_TYPES: Readonly<Record<string, number>> = {
  ILLEGAL_DEV_TABLE_ENTRY: 0x1,
  IO_PAGE_FAULT: 0x2,
  DEV_TAB_HARDWARE_ERROR: 0x3,
  PAGE_TAB_HARDWARE_ERROR: 0x4,
  ILLEGAL_COMMAND_ERROR: 0x5,
  COMMAND_HARDWARE_ERROR: 0x6,
  IOTLB_INV_TIMEOUT: 0x7,
  INVALID_DEVICE_REQUEST: 0x8,
  INVALID_PPR_REQUEST: 0x9,
  RMP_PAGE_FAULT: 0xd,
  RMP_HW_ERROR: 0xe,
};

const EVENT_MEANING: Readonly<Record<string, string>> = {
  ILLEGAL_DEV_TABLE_ENTRY:
    'the IOMMU found an invalid device-table entry for the requester: a driver or firmware (IVRS) problem, or the device used a requester ID the kernel did not set up',
  DEV_TAB_HARDWARE_ERROR: 'the IOMMU hit a hardware error reading the device table (platform or firmware problem)',
  PAGE_TAB_HARDWARE_ERROR: 'the IOMMU hit a hardware error reading a page table (platform or firmware problem)',
  ILLEGAL_COMMAND_ERROR: 'the IOMMU received an invalid command from the driver (kernel bug)',
  COMMAND_HARDWARE_ERROR: 'the IOMMU hit a hardware error fetching a command',
  IOTLB_INV_TIMEOUT: 'the device did not answer an ATS invalidation in time: it may be hung, in reset, or powered down',
  INVALID_DEVICE_REQUEST: 'the device sent a request it is not allowed to (for example an ATS or PRI request while that is disabled)',
  INVALID_PPR_REQUEST: 'the device sent an invalid page request (PRI)',
  RMP_PAGE_FAULT: 'a DMA was refused by the SEV-SNP reverse map table',
  RMP_HW_ERROR: 'the IOMMU hit an error in the SEV-SNP reverse map table',
  UNKNOWN: 'an event type the kernel does not know (the raw event words are printed)',
};

const KV = /(\w+(?:\[\d\])?)=([^\s\],]+)/g;
const BODY_NAMES = Object.keys(AMD_EVENT_TYPES).join('|');

function parseBody(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  KV.lastIndex = 0;
  for (let m = KV.exec(body); m !== null; m = KV.exec(body)) out[m[1] as string] = m[2] as string;
  return out;
}

// As printed (the kernel pads flags and domains to 4 digits), lower-case, always with 0x.
function hexValue(v: string | undefined): string | null {
  if (v === undefined) return null;
  return `0x${v.replace(/^0x/i, '').toLowerCase()}`;
}

/** Fields of one event, whatever its era. */
export function amdEventFields(name: string, body: string, ctx: RuleContext): Fields {
  const kv = parseBody(body);
  const f: Fields = {
    event: name,
    eventType: AMD_EVENT_TYPES[name] ?? null,
    faultingDevice: kv['device'] !== undefined ? normalisePciAddress(kv['device']) : null,
    domain: hexValue(kv['domain']),
    address: hexValue(kv['address']),
    addressDigits: kv['address'] !== undefined ? kv['address'].replace(/^0x/i, '').length : null,
    pasid: hexValue(kv['pasid']),
    flags: hexValue(kv['flags']),
    tag: hexValue(kv['tag']),
    // The device printed before "AMD-Vi:" is the faulting device for IO_PAGE_FAULT, the IOMMU otherwise.
    reportedBy: ctx.parsed.device?.address ?? ctx.parsed.device?.name ?? null,
  };
  if (name === 'UNKNOWN') {
    f['words'] = ['event[0]', 'event[1]', 'event[2]', 'event[3]'].map((k) => kv[k] ?? '').filter((w) => w !== '');
  }
  if (name === 'RMP_PAGE_FAULT') {
    f['gpa'] = hexValue(kv['gpa']);
    f['flagsRmp'] = hexValue(kv['flags_rmp']);
  }
  if (name === 'IO_PAGE_FAULT' && kv['flags'] !== undefined) {
    const d = decodeIoPageFaultFlags(parseInt(kv['flags'], 16));
    f['flagsValue'] = d.flags;
    f['flagNames'] = d.names;
    f['transaction'] = d.transaction;
    f['access'] = d.access;
    f['pagePresent'] = d.pagePresent;
    f['permissionError'] = d.permissionError;
    f['translationRequest'] = d.translationRequest;
    f['transactionType'] = d.type;
    f['flagsMeaning'] = d.summary;
  }
  return f;
}

function eventDevice(f: Fields, ctx: RuleContext): string | null {
  if (typeof f['faultingDevice'] === 'string') return f['faultingDevice'];
  return f['event'] === 'IO_PAGE_FAULT' ? (ctx.parsed.device?.address ?? null) : null;
}

function eventEra(prefix: string | undefined, f: Fields, ctx: RuleContext, split: boolean): string | null {
  if (prefix === 'AMD IOMMU: ') return '2.6.2x';
  if (split) return '4.16-5.4';
  const dev = f['faultingDevice'];
  if (typeof dev === 'string') return dev.length > 7 ? '>= 5.19' : '< 5.19';
  if (f['event'] === 'IO_PAGE_FAULT' && ctx.parsed.device?.address) {
    return f['addressDigits'] === 16 ? '4.16 to early 5.x' : '>= 4.16';
  }
  return null;
}

function eventMeaning(f: Fields, device: string | null): string {
  const name = String(f['event']);
  if (name === 'IO_PAGE_FAULT') {
    const what = typeof f['flagsMeaning'] === 'string' ? f['flagsMeaning'] : 'DMA refused';
    const advice =
      f['transaction'] === 'interrupt'
        ? 'the interrupt-remapping table has no valid entry for this interrupt'
        : f['pagePresent'] === true
          ? 'the mapping exists but does not allow this access'
          : 'nothing is mapped at this address for the device: in a VM usually guest memory not mapped for it, a device still driven by the host, or DMA still running across a reset';
    return `AMD-Vi refused ${who(device)}: ${what} at IOVA ${String(f['address'])}${f['domain'] ? ` (domain ${String(f['domain'])})` : ''}, flags ${String(f['flags'])}; ${advice}.`;
  }
  return `AMD-Vi event ${name} for ${who(device)}: ${EVENT_MEANING[name] ?? 'see the AMD IOMMU specification'}.`;
}

function severityOfEvent(f: Fields): 'warning' | 'error' {
  return f['event'] === 'IO_PAGE_FAULT' && f['transaction'] === 'interrupt' ? 'warning' : 'error';
}

export const AMD_VI_RULES: Rule[] = [
  {
    kind: 'amd-vi-event-start',
    family: 'amd-vi',
    layer: 'device',
    severity: 'warning',
    anchors: ['Event logged'],
    diff: 'dma-fault',
    examples: [
      'pci 0000:00:00.2: AMD-Vi: Event logged [',
    ],
    re: /^(AMD-Vi: |AMD IOMMU: )?Event logged \[\s*$/,
    era: '4.16-5.4',
    fields: () => ({ split: true }),
    device: () => null,
    meaning: 'First half of an AMD-Vi event split over two lines (kernels 4.16–5.4); the event itself is on the next line.',
  },
  {
    kind: 'amd-vi-dev-not-attached',
    family: 'amd-vi',
    layer: 'device',
    severity: 'error',
    anchors: ['Event logged [Device not attached'],
    diff: 'dma-fault',
    cause: 'dma-fault',
    examples: [
      'AMD-Vi: Event logged [Device not attached to domain properly]',
    ],
    re: /^(?:AMD-Vi: )?Event logged \[Device not attached to domain properly\]/,
    fields: () => ({ domain: null }),
    device: () => null,
    meaning: 'AMD-Vi saw DMA from a device that is attached to no domain: the device was not set up (or was detached) while it still did DMA. The device follows on the next line.',
  },
  {
    kind: 'amd-vi-dev-not-attached',
    family: 'amd-vi',
    layer: 'device',
    severity: 'error',
    anchors: [],
    gated: ['device='],
    diff: null,
    examples: [
      'AMD-Vi:   device=0000:01:00.0 domain=0x0002',
    ],
    re: /^(?:AMD-Vi:)?\s*device=((?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]) domain=(0x[0-9a-fA-F]+)\s*$/,
    fields: (m) => ({ domain: hexValue(m[2]), continuation: true }),
    device: (m) => normalisePciAddress(m[1] as string),
    meaning: (f, _ctx, device) => `AMD-Vi saw DMA from ${who(device)}, which is attached to no domain properly (domain ${String(f['domain'])}).`,
  },
  {
    kind: 'amd-vi-event',
    family: 'amd-vi',
    layer: 'device',
    severity: 'error',
    anchors: ['Event logged'],
    diff: 'dma-fault',
    cause: 'dma-fault',
    examples: [
      'AMD IOMMU: Event logged [IO_PAGE_FAULT device=01:00.0 domain=0x000f address=0x00000000fd000000 flags=0x0020]',
      'AMD-Vi: Event logged [IO_PAGE_FAULT device=01:00.0 domain=0x000f address=0x00000000fd000000 flags=0x0020]',
      'nvme 0000:01:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x0000 address=0x00000000fdf00000 flags=0x0000]',
    ],
    re: /^(AMD-Vi: |AMD IOMMU: )?Event logged \[([A-Z_]+)(?: (.*?))?\]?\s*$/,
    signals: ['dma-fault'],
    fields: (m, ctx) => ({ ...amdEventFields(m[2] as string, m[3] ?? '', ctx), split: false }),
    era: (m, ctx) => eventEra(m[1], amdEventFields(m[2] as string, m[3] ?? '', ctx), ctx, false),
    device: (_m, ctx, f) => eventDevice(f, ctx),
    meaning: (f, _ctx, device) => eventMeaning(f, device),
    severityOf: severityOfEvent,
  },
  {
    // Second half of a split event: the event body on its own line, under the IOMMU's device prefix.
    kind: 'amd-vi-event',
    family: 'amd-vi',
    layer: 'device',
    severity: 'error',
    anchors: Object.keys(AMD_EVENT_TYPES),
    diff: 'dma-fault',
    cause: 'dma-fault',
    examples: [
      'pci 0000:00:00.2: ILLEGAL_DEV_TABLE_ENTRY device=00:14.0 address=0x000000042bf5c000 flags=0x0000]',
    ],
    re: new RegExp(`^(?:AMD-Vi: )?(${BODY_NAMES}) ((?:device|domain|address)=.*?)\\]?\\s*$`),
    signals: ['dma-fault'],
    fields: (m, ctx) => ({ ...amdEventFields(m[1] as string, m[2] as string, ctx), split: true }),
    era: '4.16-5.4',
    device: (_m, ctx, f) => eventDevice(f, ctx),
    meaning: (f, _ctx, device) => eventMeaning(f, device),
    severityOf: severityOfEvent,
  },
  {
    kind: 'amd-vi-dump',
    family: 'amd-vi',
    layer: 'device',
    severity: 'info',
    anchors: ['AMD-Vi'],
    gated: ['DTE[', 'CMD[', 'Control Reg'],
    diff: null,
    examples: [
      'AMD-Vi: Control Reg : 0xc22000000002d015',
      'AMD-Vi: DTE[0]: 0000000000000003',
    ],
    re: /^(?:AMD-Vi: )?(DTE\[(\d+)\]|CMD\[(\d+)\]|Control Reg) ?: ?(0x)?([0-9a-fA-F]+)\s*$/,
    fields: (m) => ({ entry: m[1] as string, value: `0x${(m[5] as string).toLowerCase()}` }),
    device: () => null,
    meaning: (f) => `Dump that follows an AMD-Vi event (${String(f['entry'])}).`,
  },
  {
    kind: 'amd-vi-error',
    family: 'amd-vi',
    layer: 'kernel',
    severity: 'error',
    anchors: ['AMD-Vi'],
    diff: 'iommu-error',
    examples: [
      'AMD-Vi: Completion-Wait loop timed out',
      'AMD-Vi: Command buffer timeout',
      'AMD-Vi: No event written to event log',
    ],
    re: /AMD-Vi: (Completion-Wait loop timed out|Command buffer timeout|No event written to event log)/,
    fields: (m) => ({ error: m[1] as string }),
    device: () => null,
    meaning: (f) =>
      f['error'] === 'No event written to event log'
        ? 'The AMD IOMMU signalled an event but wrote none (erratum workaround exhausted).'
        : `The AMD IOMMU stopped processing commands (${String(f['error'])}): the IOMMU is hung; device assignment and DMA will misbehave until reboot. Often firmware or a device that does not answer invalidations.`,
  },
  {
    kind: 'amd-iommu-found',
    family: 'amd-vi',
    layer: 'firmware',
    severity: 'info',
    anchors: ['AMD-Vi: Found IOMMU'],
    diff: null,
    examples: [
      'AMD-Vi: Found IOMMU at 0000:00:00.2 cap 0x40',
      'pci 0000:00:00.2: AMD-Vi: Found IOMMU cap 0x40',
    ],
    re: /AMD-Vi: Found IOMMU(?: at ((?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]))? cap (0x[0-9a-fA-F]+)/,
    signals: ['iommu-hardware-present'],
    fields: (m) => ({ cap: (m[2] as string).toLowerCase() }),
    device: (m, ctx) => (m[1] !== undefined ? normalisePciAddress(m[1]) : (ctx.parsed.device?.address ?? null)),
    era: (m) => (m[1] !== undefined ? '< ~5.0' : null),
    meaning: (_f, _ctx, device) => `The AMD IOMMU ${device ?? ''} was found (the firmware provides IVRS). This alone does not prove DMA remapping is active: "Adding to iommu group" lines do.`.replace('  ', ' '),
  },
  {
    kind: 'amd-iommu-features',
    family: 'amd-vi',
    layer: 'firmware',
    severity: 'info',
    anchors: ['AMD-Vi: Extended features'],
    diff: null,
    examples: [
      'AMD-Vi: Extended features (0x58f77ef22294a5a, 0x0): PPR X2APIC NX GT IA GA PC GA_vAPIC',
    ],
    re: /AMD-Vi: Extended features \((0x[0-9a-fA-F]+)(?:, (0x[0-9a-fA-F]+))?\):\s*(.*)$/,
    signals: ['iommu-hardware-present'],
    fields: (m) => {
      const names = (m[3] ?? '').split(/\s+/).filter((s) => s !== '');
      return { efr: (m[1] as string).toLowerCase(), efr2: m[2]?.toLowerCase() ?? null, features: names, x2apic: names.includes('X2APIC'), guestVapic: names.includes('GA') };
    },
    device: () => null,
    meaning: (f) => `AMD IOMMU feature register ${String(f['efr'])}: ${(f['features'] as string[]).join(' ') || 'no named features'}.`,
  },
  {
    kind: 'iommu-disabled',
    family: 'amd-vi',
    layer: 'kernel',
    severity: 'warning',
    anchors: ['AMD IOMMU disabled'],
    diff: 'iommu-error',
    cause: 'iommu-disabled-cmdline',
    examples: [
      'AMD-Vi: AMD IOMMU disabled on kernel command-line',
      'AMD-Vi: AMD IOMMU disabled',
    ],
    re: /AMD-Vi: AMD IOMMU disabled( on kernel command-line)?/,
    signals: ['dma-remapping-disabled'],
    fields: () => ({ vendor: 'amd' }),
    era: (m) => (m[1] !== undefined ? '~5.x' : null),
    device: () => null,
    meaning: 'amd_iommu=off is on the kernel command line: the AMD IOMMU is not used, so VFIO cannot assign devices.',
  },
  {
    kind: 'iommu-unknown-option',
    family: 'amd-vi',
    layer: 'kernel',
    severity: 'warning',
    anchors: ['AMD-Vi', 'DMAR'],
    diff: null,
    cause: 'iommu-args-invalid',
    examples: [
      "DMAR: Unknown option - 'onn'",
      "AMD-Vi: Unknown option - 'on'",
    ],
    re: /^(AMD-Vi|DMAR): Unknown option - '(.*)'/,
    fields: (m) => ({ vendor: m[1] === 'AMD-Vi' ? 'amd' : 'intel', option: m[2] as string }),
    device: () => null,
    meaning: (f) =>
      f['vendor'] === 'amd' && f['option'] === 'on'
        ? 'amd_iommu=on is not an option: the kernel ignores it. The AMD IOMMU is on by default whenever the firmware provides the IVRS table; if it is not active, enable the IOMMU (AMD-Vi / SVM) in the firmware.'
        : `${f['vendor'] === 'amd' ? 'amd_iommu' : 'intel_iommu'}=${String(f['option'])} is not an option this kernel knows; it was ignored.`,
  },
  {
    kind: 'amd-iommuv2',
    family: 'amd-vi',
    layer: 'kernel',
    severity: 'info',
    anchors: ['AMD IOMMUv2'],
    diff: null,
    examples: [
      'AMD-Vi: AMD IOMMUv2 loaded and initialized',
    ],
    re: /AMD-Vi: AMD IOMMUv2 (loaded and initialized|functionality not available.*)$/,
    era: '< 6.7',
    fields: (m) => ({ loaded: m[1] === 'loaded and initialized' }),
    device: () => null,
    meaning:
      'Message of the separate amd_iommu_v2 module (PASID/PRI support), removed in Linux 6.7. It says nothing about whether DMA remapping is active: do not use it as the IOMMU test.',
  },
  {
    kind: 'amd-iommu-pgtable',
    family: 'amd-vi',
    layer: 'kernel',
    severity: 'info',
    anchors: ['AMD-Vi'],
    diff: null,
    examples: [
      'AMD-Vi: V2 page table enabled (Paging mode : 4 level)',
    ],
    re: /AMD-Vi: V(\d) page table enabled \(Paging mode : (\d) level\)/,
    fields: (m) => ({ version: Number(m[1]), levels: Number(m[2]) }),
    device: () => null,
    meaning: (f) => `The AMD IOMMU uses v${String(f['version'])} page tables (${String(f['levels'])} levels).`,
  },
  {
    kind: 'iommu-tlb-policy',
    family: 'amd-vi',
    layer: 'kernel',
    severity: 'info',
    anchors: ['AMD-Vi'],
    diff: null,
    examples: [
      'AMD-Vi: Lazy IO/TLB flushing enabled',
      'AMD-Vi: IO/TLB flush on unmap enabled',
      'AMD-Vi: Using strict mode due to virtualization',
    ],
    re: /AMD-Vi: (Lazy IO\/TLB flushing enabled|IO\/TLB flush on unmap enabled|Using strict mode due to virtualization)/,
    fields: (m) => ({ vendor: 'amd', mode: /Lazy/.test(m[1] as string) ? 'lazy' : 'strict', viaCmdline: false }),
    era: (m) => (/virtualization/.test(m[1] as string) ? null : '< ~5.14'),
    device: () => null,
    meaning: (f) => `IOTLB invalidation is ${String(f['mode'])} (DMA-translated domains).`,
  },
  {
    kind: 'amd-iommu-perf',
    family: 'amd-vi',
    layer: 'firmware',
    severity: 'info',
    anchors: ['perf/amd_iommu'],
    diff: null,
    examples: [
      'perf/amd_iommu: Detected AMD IOMMU #0 (2 banks, 4 counters/bank).',
    ],
    re: /perf\/amd_iommu: Detected AMD IOMMU #(\d+) \((\d+) banks, (\d+) counters\/bank\)/,
    signals: ['iommu-hardware-present'],
    fields: (m) => ({ index: Number(m[1]), banks: Number(m[2]), counters: Number(m[3]) }),
    device: () => null,
    meaning: 'The AMD IOMMU performance counters were found: the IOMMU hardware is present. This does not prove DMA remapping is active.',
  },
  {
    kind: 'ivrs-firmware-bug',
    family: 'amd-vi',
    layer: 'firmware',
    severity: 'warning',
    anchors: [],
    gated: ['[Firmware Bug]'],
    diff: 'firmware-bug',
    examples: [
      'AMD-Vi: [Firmware Bug]: : IOAPIC[32] not in IVRS table',
    ],
    re: /(?:\[Firmware Bug\]:? ?(?:AMD-Vi: )?|AMD-Vi: \[Firmware Bug\]:? ?)(.*)$/,
    when: (m) => /AMD-Vi|IVRS|IOAPIC|HPET|IVHD|IVMD/.test(m[0]),
    signals: ['firmware-bug'],
    fields: (m) => ({ problem: (m[1] as string).replace(/^:\s*/, '').trim() }),
    device: () => null,
    meaning: (f) =>
      `The firmware's IVRS table is wrong (${String(f['problem'])}). Interrupt remapping or device isolation may be affected; a BIOS update or ivrs_ioapic=/ivrs_hpet= overrides are the usual fixes.`,
  },
  {
    kind: 'acpi-ivrs-table',
    family: 'amd-vi',
    layer: 'firmware',
    severity: 'info',
    anchors: ['IVRS'],
    diff: null,
    examples: [
      'ACPI: IVRS 0x00000000B9C39000 0001A4 (v02 AMD    AmdTable 00000001 AMD  00000001)',
    ],
    re: /^ACPI: IVRS 0x([0-9a-fA-F]+)/,
    signals: ['iommu-table-present'],
    fields: (m) => ({ address: `0x${(m[1] as string).toLowerCase().replace(/^0+(?=.)/, '')}` }),
    device: () => null,
    meaning: 'The firmware provides the IVRS ACPI table: the AMD IOMMU is exposed by the platform.',
  },
];
