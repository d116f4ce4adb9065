// PCI core lines that matter for passthrough: resource (BAR) conflicts, resets and power states, probe
// failures, ACS and DMA aliases, device enumeration (vendor:device IDs), boot VGA, AER errors.

import { errnoName } from '../tables/errno.js';
import { who } from './engine.js';
import type { Fields, Rule } from './types.js';

const BDF = '[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]';

function resource(text: string): Fields {
  const m = /\[(mem|io)\s+(0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)([^\]]*)\]/.exec(text);
  return m
    ? { resource: text, space: m[1] as string, start: (m[2] as string).toLowerCase(), end: (m[3] as string).toLowerCase(), attributes: (m[4] as string).trim() }
    : { resource: text, space: null, start: null, end: null, attributes: null };
}

function probeMeaning(f: Fields, device: string | null): string {
  const drv = String(f['probeDriver']);
  const err = `${String(f['errno'])}${f['errnoName'] ? ` (${String(f['errnoName'])})` : ''}`;
  if (/vfio/.test(drv) && f['errnoName'] === 'EINVAL') {
    return `vfio-pci could not take ${who(device)} (error ${err}): most often the device has no IOMMU group because the IOMMU is not active (firmware setting or kernel command line), or it is not an endpoint (bridges cannot be bound).`;
  }
  if (/vfio/.test(drv) && f['errnoName'] === 'EBUSY') {
    return `vfio-pci could not take ${who(device)} (error ${err}): the device or its group is busy (denylisted, or a host driver still owns another device of the group).`;
  }
  if (f['errnoName'] === 'EBUSY') {
    return `${drv} could not bind ${who(device)} (error ${err}): since 5.19 a host driver cannot bind to a device whose IOMMU group is owned by VFIO (DMA ownership), or the device is in use.`;
  }
  return `${drv} failed to bind ${who(device)} with error ${err}.`;
}

export const PCI_RULES: Rule[] = [
  {
    kind: 'bar-cant-reserve',
    family: 'pci',
    layer: 'device',
    severity: 'error',
    anchors: [],
    gated: ['BAR '],
    diff: 'bar-conflict',
    cause: 'bar-conflict',
    examples: [
      "vfio-pci 0000:c3:00.0: BAR 0: can't reserve [mem 0x2800000000-0x2fffffffff 64bit pref]",
      "[    1.100000] vfio-pci 0000:01:00.0: BAR 0: can't reserve [mem 0xf6000000-0xf6ffffff]",
      "vfio-pci 0000:03:00.0: BAR 1: can't reserve [mem 0xc0000000-0xcfffffff 64bit pref]",
    ],
    re: /^BAR (\d+): can't reserve (\[[^\]]*\])/,
    fields: (m) => ({ bar: Number(m[1]), ...resource(m[2] as string) }),
    meaning: (f, ctx, device) =>
      `${/vfio/.test(ctx.parsed.device?.driver ?? '') ? 'vfio-pci' : 'The driver'} could not reserve BAR ${String(f['bar'])} ${String(f['resource'])} of ${who(device)}: another claim overlaps it. For a boot GPU this is usually the firmware framebuffer (BOOTFB with simpledrm, simplefb, efifb or vesafb) — look under the GPU's range in /proc/iomem. The guest driver then fails to initialise the GPU.`,
  },
  {
    kind: 'bar-claim-failed',
    family: 'pci',
    layer: 'device',
    severity: 'warning',
    anchors: [],
    gated: ['BAR '],
    diff: 'bar-conflict',
    examples: [
      "pci 0000:01:00.0: can't claim BAR 0 [mem 0xf6000000-0xf6ffffff]: no compatible bridge window",
    ],
    re: /can't claim BAR (\d+) (\[[^\]]*\]): (.*)$/,
    fields: (m) => ({ bar: Number(m[1]), ...resource(m[2] as string), reason: m[3] as string }),
    meaning: (f, _ctx, device) => `The firmware's placement of BAR ${String(f['bar'])} of ${who(device)} was rejected (${String(f['reason'])}); the kernel will try to move it.`,
  },
  {
    kind: 'bar-assign-failed',
    family: 'pci',
    layer: 'device',
    severity: 'warning',
    anchors: [],
    gated: ['BAR '],
    diff: 'bar-conflict',
    examples: [
      'pci 0000:00:1c.0: BAR 14: no space for [mem size 0x00200000]',
      'pci 0000:00:1c.0: BAR 14: failed to assign [mem size 0x00200000]',
      "pci 0000:04:00.0: BAR 0 [mem size 0x400000000 64bit pref]: can't assign; no space",
    ],
    re: /^BAR (\d+)(?:: (?:no space for|failed to assign) (\[[^\]]*\])| (\[[^\]]*\]): (?:can't assign; no space|failed to assign))/,
    fields: (m) => ({ bar: Number(m[1]), ...resource((m[2] ?? m[3]) as string) }),
    meaning: (f, _ctx, device) =>
      `No address space could be found for BAR ${String(f['bar'])} of ${who(device)}: the device may not work. Large BARs usually need "Above 4G decoding" (and for GPUs often Resizable BAR settled) in the firmware.`,
  },
  {
    kind: 'reset-not-ready',
    family: 'pci',
    layer: 'device',
    severity: 'warning',
    anchors: ['after FLR'],
    gated: ['not ready'],
    diff: 'reset-error',
    cause: 'reset-failed',
    examples: [
      'vfio-pci 0000:01:00.0: not ready 1023ms after FLR; waiting',
      'vfio-pci 0000:01:00.0: not ready 65535ms after FLR; giving up',
      'pci 0000:02:00.0: not ready 1023ms after bus reset; waiting',
    ],
    re: /not ready (\d+)ms after (.+?); (waiting|giving up)/,
    fields: (m) => ({ ms: Number(m[1]), after: m[2] as string, outcome: m[3] as string }),
    severityOf: (f) => (f['outcome'] === 'giving up' ? 'error' : 'warning'),
    meaning: (f, _ctx, device) =>
      f['outcome'] === 'giving up'
        ? `${who(device)} never answered after ${String(f['after'])} (gave up after ${String(f['ms'])} ms): the reset failed and the device is unusable until a host reboot or power cycle. Typical for GPUs with broken reset.`
        : `${who(device)} was still not ready ${String(f['ms'])} ms after ${String(f['after'])}; the kernel keeps waiting. Slow or failing reset.`,
  },
  {
    kind: 'reset-method-unsupported',
    family: 'pci',
    layer: 'device',
    severity: 'warning',
    anchors: ['Unsupported reset method'],
    diff: null,
    cause: 'reset-unsupported',
    examples: [
      "[  689.396614] vfio-pci 0000:0f:00.0: Unsupported reset method 'device_specific'",
      "[    1.200000] vfio-pci 0000:0f:00.0: Unsupported reset method 'flr'",
      "pci-stub 0000:0f:00.0: Unsupported reset method 'device_specific'",
    ],
    re: /Unsupported reset method '([^']*)'/,
    era: '>= 5.15',
    fields: (m) => ({ method: m[1] as string }),
    meaning: (f, _ctx, device) =>
      `Writing "${String(f['method'])}" to reset_method of ${who(device)} was refused: the device does not support that method${f['method'] === 'device_specific' ? ' (device_specific needs a quirk, e.g. the vendor-reset module loaded before the device is bound)' : ''}. Read /sys/bus/pci/devices/<address>/reset_method for the supported ones.`,
  },
  {
    kind: 'power-state-stuck',
    family: 'pci',
    layer: 'device',
    severity: 'error',
    anchors: [],
    gated: ['power state'],
    diff: 'd3',
    cause: 'stuck-in-d3',
    examples: [
      'vfio-pci 0000:01:00.0: Unable to change power state from D3cold to D0, device inaccessible',
      '[    2.200000] pci 0000:01:00.0: Unable to change power state from D3cold to D0, device inaccessible',
      'vfio-pci 0000:03:00.0: Unable to change power state from D3cold to D0, device inaccessible',
    ],
    re: /(?:Unable to|Refused to|can't|[Ff]ailed to) change power state from (D\w+) to (D\w+)/,
    fields: (m) => ({ from: m[1] as string, to: m[2] as string }),
    meaning: (f, _ctx, device) =>
      `${who(device)} could not leave ${String(f['from'])} for ${String(f['to'])}: it is stuck in a low-power state (config space unreadable). With vfio-pci, disable_idle_d3=1 keeps idle devices out of D3.`,
  },
  {
    kind: 'probe-failed',
    family: 'pci',
    layer: 'binding',
    severity: 'error',
    anchors: [],
    gated: ['probe'],
    diff: 'probe-failure',
    examples: [
      '[ 6708.659672] vfio-pci: probe of 0000:65:00.0 failed with error -22',
      'vfio-pci 0000:01:01.7: probe with driver vfio-pci failed with error -22',
      'snd_hda_intel 0000:01:00.1: probe with driver snd_hda_intel failed with error -16',
    ],
    re: new RegExp(`(?:^([\\w.-]+): probe of (${BDF}) failed with error (-?\\d+)|^probe with driver (\\S+) failed with error (-?\\d+))`),
    fields: (m) => {
      const errno = Number(m[3] ?? m[5]);
      const e = errnoName(errno);
      return { probeDriver: (m[1] ?? m[4]) as string, errno, errnoName: e.name, errnoText: e.text };
    },
    device: (m, ctx) => (m[2] !== undefined ? (m[2] as string).toLowerCase() : (ctx.parsed.device?.address ?? null)),
    meaning: (f, _ctx, device) => probeMeaning(f, device),
  },
  {
    kind: 'acs-quirk',
    family: 'pci',
    layer: 'isolation',
    severity: 'info',
    anchors: ['ACS workaround'],
    diff: null,
    examples: [
      'pci 0000:00:1c.0: Intel PCH root port ACS workaround enabled',
      '[    2.300000] pci 0000:00:1c.0: Intel PCH root port ACS workaround enabled',
    ],
    re: /(Intel (?:SPT )?PCH root port ACS workaround enabled)/,
    fields: (m) => ({ quirk: m[1] as string }),
    meaning: (_f, _ctx, device) => `A quirk supplies ACS for root port ${device ?? ''} that lacks the capability: devices below it can get their own IOMMU groups.`.replace('  ', ' '),
  },
  {
    kind: 'acs-configured',
    family: 'pci',
    layer: 'isolation',
    severity: 'notice',
    anchors: ['Configured ACS'],
    diff: null,
    examples: [
      'pci 0000:00:01.0: Configured ACS to 0x1d',
    ],
    re: /Configured ACS to (0x[0-9a-fA-F]+)/,
    era: '>= 6.11',
    fields: (m) => ({ ctrl: (m[1] as string).toLowerCase() }),
    meaning: (f, _ctx, device) => `pci=config_acs= set the ACS controls of ${who(device)} to ${String(f['ctrl'])}; this can change IOMMU grouping.`,
  },
  {
    kind: 'acs-cmdline-invalid',
    family: 'pci',
    layer: 'isolation',
    severity: 'warning',
    anchors: [' ACS'],
    diff: null,
    examples: [
      "PCI: Can't parse ACS command line parameter",
    ],
    re: /(Can't parse ACS command line parameter|cannot disable ACS redirect for this hardware as it does not have ACS capabilities)/,
    fields: (m) => ({ message: m[1] as string }),
    meaning: (f) => `An ACS option on the kernel command line was not applied: ${String(f['message'])}.`,
  },
  {
    kind: 'acs-override-enabled',
    family: 'pci',
    layer: 'isolation',
    severity: 'warning',
    anchors: ['ACS override'],
    diff: null,
    cause: 'acs-override-in-use',
    examples: [
      'Warning: PCIe ACS overrides enabled; This may allow non-IOMMU protected peer-to-peer DMA',
    ],
    re: /ACS overrides? enabled/,
    device: () => null,
    meaning:
      'The out-of-tree pcie_acs_override patch is active: the kernel pretends devices are isolated when the hardware does not guarantee it. Groups look split, but peer-to-peer DMA between "separated" devices is still possible.',
  },
  {
    kind: 'dma-alias',
    family: 'pci',
    layer: 'isolation',
    severity: 'info',
    anchors: ['DMA alias'],
    diff: null,
    examples: [
      'pci 0000:03:00.0: Enabling fixed DMA alias to 00.1',
    ],
    re: /Enabling fixed DMA alias (?:to ([0-9a-fA-F]{2}\.\d)|for devfn range from ([0-9a-fA-F]{2}\.\d) to ([0-9a-fA-F]{2}\.\d))/,
    fields: (m) => ({ alias: m[1] ?? null, from: m[2] ?? null, to: m[3] ?? null }),
    meaning: (f, _ctx, device) =>
      `${who(device)} issues DMA with another requester ID (${String(f['alias'] ?? `${String(f['from'])}..${String(f['to'])}`)}), so it shares an IOMMU group with the functions it aliases.`,
  },
  {
    kind: 'pci-device',
    family: 'pci',
    layer: 'device',
    severity: 'info',
    anchors: [],
    gated: ['] type '],
    diff: null,
    examples: [
      'pci 0000:01:00.0: [10de:1e87] type 00 class 0x030000',
      'pci 0000:01:00.0: [10de:1e87] type 00 class 0x030000 PCIe Legacy Endpoint',
      '[    0.200000] pci 0000:01:00.0: [10de:1e87] type 00 class 0x030000',
    ],
    re: /^\[([0-9a-fA-F]{4}):([0-9a-fA-F]{4})\] type ([0-9a-fA-F]{2}) class (0x[0-9a-fA-F]{6})(?: (.+))?$/,
    era: (m) => (m[5] !== undefined ? '>= ~6.8' : null),
    fields: (m) => ({
      id: `${(m[1] as string).toLowerCase()}:${(m[2] as string).toLowerCase()}`,
      headerType: (m[3] as string).toLowerCase(),
      class: (m[4] as string).toLowerCase(),
      portType: m[5] ?? null,
    }),
    meaning: (f, _ctx, device) => `${device ?? 'A device'} is ${String(f['id'])}, class ${String(f['class'])}${f['portType'] ? ` (${String(f['portType'])})` : ''}.`,
  },
  {
    kind: 'boot-vga',
    family: 'pci',
    layer: 'device',
    severity: 'info',
    anchors: ['vgaarb'],
    diff: null,
    examples: [
      'pci 0000:00:02.0: vgaarb: setting as boot VGA device',
      'pci 0000:01:00.0: vgaarb: VGA device added: decodes=io+mem,owns=none,locks=none',
      '[    0.210000] pci 0000:00:02.0: vgaarb: setting as boot VGA device',
    ],
    re: /vgaarb: (?:setting as boot VGA device|VGA device added: decodes=(\S+?),owns=(\S+?),locks=(\S+))/,
    fields: (m) => ({ bootVga: m[1] === undefined, owns: m[2] ?? null }),
    meaning: (f, _ctx, device) =>
      f['bootVga'] === true
        ? `${who(device)} is the boot GPU (the firmware drew the console on it): its BARs may hold the firmware framebuffer, and it is the hardest GPU to pass through.`
        : `${who(device)} takes part in VGA arbitration (owns ${String(f['owns'])}).`,
  },
  {
    kind: 'boot-vga',
    family: 'pci',
    layer: 'device',
    severity: 'info',
    anchors: ['shadowed ROM'],
    diff: null,
    examples: [
      'pci 0000:00:02.0: Video device with shadowed ROM at [mem 0x000c0000-0x000dffff]',
    ],
    re: /Video device with shadowed ROM at (\[[^\]]*\])/,
    fields: (m) => ({ bootVga: true, owns: null, rom: m[1] as string }),
    meaning: (_f, _ctx, device) =>
      `${who(device)} is the boot GPU (its ROM was shadowed by the firmware): its BARs may hold the firmware framebuffer, and it is the hardest GPU to pass through.`,
  },
  {
    kind: 'vgaarb-decodes',
    family: 'pci',
    layer: 'device',
    severity: 'info',
    anchors: ['vgaarb'],
    diff: null,
    examples: [
      'vfio-pci 0000:01:00.0: vgaarb: changed VGA decodes: olddecodes=io+mem,decodes=io+mem:owns=none',
      '[    3.113004] vfio-pci 0000:01:00.0: vgaarb: changed VGA decodes: olddecodes=io+mem,decodes=io+mem:owns=none',
    ],
    re: /vgaarb: changed VGA decodes: olddecodes=(\S+?),decodes=(\S+?):owns=(\S+)/,
    fields: (m) => ({ olddecodes: m[1] as string, decodes: m[2] as string, owns: m[3] as string }),
    meaning: (f, _ctx, device) => `${who(device)} now decodes ${String(f['decodes'])} legacy VGA resources (owns ${String(f['owns'])}); printed when vfio-pci opens or releases a GPU.`,
  },
  {
    kind: 'pci-rom-invalid',
    family: 'pci',
    layer: 'device',
    severity: 'notice',
    anchors: ['ROM header'],
    diff: null,
    examples: [
      'vfio-pci 0000:01:00.0: Invalid PCI ROM header signature: expecting 0xaa55, got 0xffff',
    ],
    re: /Invalid PCI ROM header signature: expecting 0xaa55, got (0x[0-9a-fA-F]+)/,
    fields: (m) => ({ got: (m[1] as string).toLowerCase() }),
    meaning: (f, _ctx, device) =>
      `The option ROM of ${who(device)} could not be read (signature ${String(f['got'])})${f['got'] === '0xffff' ? ', the device did not answer' : ''}. For a GPU passed to a VM, supply a ROM file (romfile=) or pass a card that was not used for boot.`,
  },
  {
    kind: 'aer-uncorrected',
    family: 'pci',
    layer: 'device',
    severity: 'error',
    anchors: [],
    gated: ['AER:', 'Bus Error'],
    diff: 'aer',
    examples: [
      'pcieport 0000:0c:00.0: AER: Uncorrectable (Fatal) error message received from 0000:0c:00.0',
      'pcieport 0000:0c:00.0: PCIe Bus Error: severity=Uncorrectable (Fatal), type=Transaction Layer, (Receiver ID)',
      'pcieport 0000:00:01.0: AER: Uncorrected (Fatal) error received: 0000:01:00.0',
      'vfio-pci 0000:01:00.0: PCIe Bus Error: severity=Uncorrected (Non-Fatal), type=Transaction Layer, (Requester ID)',
      '[    1.900000] pcieport 0000:00:01.0: AER: Uncorrected (Fatal) error received: 0000:01:00.0',
    ],
    re: new RegExp(`(?:AER: (?:Multiple )?Uncorrect(?:ed|able) \\((Fatal|Non-Fatal)\\) error (?:received|message received from):? (?:(${BDF})|id=\\S+)|PCIe Bus Error: severity=Uncorrect(?:ed|able) \\((Fatal|Non-Fatal)\\))`),
    fields: (m) => ({ fatal: (m[1] ?? m[3]) === 'Fatal', source: m[2]?.toLowerCase() ?? null }),
    device: (m, ctx) => m[2]?.toLowerCase() ?? ctx.parsed.device?.address ?? null,
    meaning: (f, _ctx, device) =>
      `Uncorrected ${f['fatal'] === true ? 'fatal' : 'non-fatal'} PCIe error at ${who(device)}: the link or device misbehaved (often around resets or power transitions of an assigned device).`,
  },
];
