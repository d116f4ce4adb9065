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
    era: (m, ctx, f) => eventEra(m[1], f, ctx, false),
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
    // The counterpart of the VT-d unit lines: printed by the AMD IOMMU driver only once it has read IVRS.
    kind: 'amd-iommu-perf',
    family: 'amd-vi',
    layer: 'firmware',
    severity: 'info',
    anchors: ['performance counters supported'],
    diff: null,
    examples: [
      'pci 0000:00:00.2: AMD-Vi: IOMMU performance counters supported',
      '[    0.411432] pci 0000:00:00.2: AMD-Vi: IOMMU performance counters supported',
    ],
    re: /AMD-Vi: IOMMU performance counters supported/,
    signals: ['iommu-hardware-present'],
    fields: () => ({ index: null, banks: null, counters: null }),
    meaning: (_f, _ctx, device) => `The AMD IOMMU ${device ?? ''} has performance counters: the IOMMU hardware is present and IVRS was read. This does not prove DMA remapping is active.`.replace('  ', ' '),
  },
  {
    // The counterpart of dmar_fault's rate limiting: more AMD-Vi events than the log shows.
    kind: 'amd-vi-events-lost',
    family: 'amd-vi',
    layer: 'device',
    severity: 'warning',
    anchors: ['amd_iommu_report_page_fault', 'amd_iommu_int_thread', 'log overflow', 'log restarting'],
    diff: 'dma-fault',
    cause: 'dma-fault',
    examples: [
      'amd_iommu_report_page_fault: 12950 callbacks suppressed',
      'amd_iommu_int_thread: 27 callbacks suppressed',
      'AMD-Vi: IOMMU event log overflow',
      'AMD-Vi: IOMMU Event log restarting',
    ],
    re: /(?:(amd_iommu_report_page_fault|amd_iommu_int_thread): (\d+) callbacks suppressed|AMD-Vi: IOMMU (?:event log overflow|Event log restarting))/,
    signals: ['dma-fault'],
    era: (m) => (/overflow/.test(m[0]) ? '~5.18-6.8' : /restarting/.test(m[0]) ? '>= ~6.9' : null),
    fields: (m) => ({ count: m[2] !== undefined ? Number(m[2]) : null, overflow: m[1] === undefined }),
    device: () => null,
    meaning: (f) =>
      f['overflow'] === true
        ? 'The AMD IOMMU event log overflowed and was restarted: events (IO_PAGE_FAULTs) were lost, so there are more faults than the log shows.'
        : `${String(f['count'])} more AMD-Vi reports were dropped by rate limiting: the real number of faults is higher than the lines show.`,
  },
  {
    // The counterpart of "DMAR: Disabling IOMMU for graphics": the kernel itself declines the AMD IOMMU.
    kind: 'amd-iommu-declined',
    family: 'amd-vi',
    layer: 'kernel',
    severity: 'warning',
    anchors: ['Disable IOMMU on Stoney Ridge', 'SME is active'],
    diff: 'iommu-error',
    cause: 'iommu-inactive',
    examples: [
      'AMD-Vi: Disable IOMMU on Stoney Ridge',
      'AMD-Vi: IOMMU not currently supported when SME is active',
    ],
    re: /AMD-Vi: (Disable IOMMU on Stoney Ridge|IOMMU not currently supported when SME is active)/,
    signals: ['dma-remapping-disabled'],
    fields: (m) => ({ reason: /Stoney/.test(m[1] as string) ? 'stoney-ridge' : 'sme' }),
    device: () => null,
    meaning: (f) =>
      f['reason'] === 'stoney-ridge'
        ? 'The kernel turns the AMD IOMMU off on Stoney Ridge graphics: no IOMMU groups, so VFIO cannot assign devices. amd_iommu=force_enable overrides it (kernels that have the option).'
        : 'The kernel does not use the AMD IOMMU while SME (memory encryption) is active on this CPU family and microcode: no IOMMU groups. Update the CPU microcode (BIOS) or boot with mem_encrypt=off.',
  },
  {
    // The AMD IOMMU driver read IVRS but could not bring the hardware up: DMA remapping stays off.
    kind: 'amd-iommu-init-failed',
    family: 'amd-vi',
    layer: 'kernel',
    severity: 'error',
    anchors: ['Failed to initialize'],
    diff: 'iommu-error',
    cause: 'iommu-inactive',
    examples: [
      'AMD-Vi: IOMMU0: Failed to initialize IOMMU Hardware (error=-19)!',
      'AMD-Vi: Failed to initialize. The CMPXCHG16B feature is required.',
    ],
    re: /AMD-Vi: (?:IOMMU(\d+): Failed to initialize IOMMU Hardware \(error=(-?\d+)\)|Failed to initialize\. The CMPXCHG16B feature is required)/,
    signals: ['dma-remapping-disabled'],
    fields: (m) => ({ unit: m[1] !== undefined ? Number(m[1]) : null, error: m[2] !== undefined ? Number(m[2]) : null }),
    device: () => null,
    meaning: (f) =>
      f['unit'] !== null
        ? `AMD IOMMU ${String(f['unit'])} could not be initialised (error ${String(f['error'])}): DMA remapping is off, so there are no IOMMU groups. Usually the IOMMU's PCI function is hidden or broken in the firmware: update the BIOS.`
        : 'The AMD IOMMU driver needs the CMPXCHG16B instruction, which this CPU (or the virtual CPU of this VM) does not offer: DMA remapping is off.',
  },
  {
    // The counterpart of a broken DMAR table: IVRS is there but unusable, so AMD-Vi never starts.
    kind: 'ivrs-table-broken',
    family: 'amd-vi',
    layer: 'firmware',
    severity: 'error',
    anchors: ['IVRS invalid checksum', 'IVRS table error', 'Can not reserve memory region', 'This is a BIOS bug'],
    diff: 'firmware-bug',
    cause: 'iommu-disabled-firmware',
    examples: [
      'AMD-Vi: [Firmware Bug]: IVRS invalid checksum',
      'AMD-Vi: IVRS table error: AE_NOT_IMPLEMENTED',
      'AMD-Vi: Can not reserve memory region feb80000-feb84000 for mmio',
      'AMD-Vi: This is a BIOS bug. Please contact your hardware vendor',
    ],
    re: /AMD-Vi: (?:\[Firmware Bug\]:? ?)?(IVRS invalid checksum|IVRS table error: (\S+)|Can not reserve memory region ([0-9a-fA-F]+)-([0-9a-fA-F]+) for mmio|This is a BIOS bug\. Please contact your hardware vendor)/,
    signals: ['firmware-bug', 'dma-remapping-disabled'],
    fields: (m) => ({ problem: /checksum/.test(m[1] as string) ? 'checksum' : m[2] !== undefined ? 'table-error' : m[3] !== undefined ? 'mmio-reserve' : 'bios-bug', acpiStatus: m[2] ?? null }),
    device: () => null,
    meaning: (f) =>
      f['problem'] === 'checksum'
        ? 'The firmware\'s IVRS table fails its checksum: the AMD IOMMU is not used at all (no IOMMU groups). Update the BIOS.'
        : f['problem'] === 'table-error'
          ? `The firmware's IVRS table could not be read (${String(f['acpiStatus'])}): the AMD IOMMU is not used. Update the BIOS.`
          : 'The AMD IOMMU\'s register range overlaps another claim: the firmware placed it wrong, and that IOMMU is not initialised. Update the BIOS.',
  },
  {
    // The counterpart of intel_iommu='s deprecated spellings.
    kind: 'amd-iommu-option',
    family: 'amd-vi',
    layer: 'kernel',
    severity: 'info',
    anchors: ['deprecated; use'],
    diff: null,
    examples: [
      'AMD-Vi: amd_iommu=fullflush deprecated; use iommu.strict=1 instead',
      'AMD-Vi: ivrs_ioapic[32]=00:14.0 option format deprecated; use ivrs_ioapic=32@0000:00:14.0 instead',
    ],
    re: /AMD-Vi: (amd_iommu=fullflush|ivrs_(?:ioapic|hpet|acpihid)\S*)(?: option format)? deprecated; use (\S+) instead/,
    fields: (m) => ({ option: m[1] as string, replacement: m[2] as string }),
    device: () => null,
    meaning: (f) => `${String(f['option'])} still works but is deprecated; the kernel asks for ${String(f['replacement'])}.`,
  },
  {
    // The counterpart of "DMAR: Unknown option": an ivrs_ override the kernel could not parse is ignored.
    kind: 'iommu-unknown-option',
    family: 'amd-vi',
    layer: 'kernel',
    severity: 'warning',
    anchors: ['Invalid command line: ivrs_'],
    diff: null,
    cause: 'iommu-args-invalid',
    examples: [
      'AMD-Vi: Invalid command line: ivrs_ioapic=4@00:14',
      'AMD-Vi: Invalid command line: ivrs_hpet[0]=00:14.0.1',
    ],
    re: /AMD-Vi: Invalid command line: (ivrs_(?:ioapic|hpet|acpihid)\S*)/,
    fields: (m) => ({ vendor: 'amd', option: m[1] as string }),
    device: () => null,
    meaning: (f) => `The override ${String(f['option'])} is malformed and was ignored: the IVRS bug it was meant to work around (usually a missing IOAPIC or HPET, which turns interrupt remapping off) is still there. The form is ivrs_ioapic=ID@SEG:BUS:DEV.FN.`,
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
