// Lines that matter whose wording varies too much for one exact pattern: tried after every specific
// rule, so that a line a specific rule knows is never decoded here. Each is still a row of the table
// (anchors, layer, diff class, examples), so the prefilter keeps exactly what these decode.

import type { Rule } from './types.js';
import { who } from './engine.js';

export const FALLBACK_RULES: Rule[] = [
  {
    kind: 'reset-failed',
    family: 'pci',
    layer: 'device',
    severity: 'error',
    anchors: [],
    gated: ['reset', 'FLR '],
    diff: 'reset-error',
    cause: 'reset-failed',
    examples: [
      'vfio-pci 0000:02:00.0: timed out waiting for pending transaction; performing function level reset anyway',
      '[  663.330053] vfio-pci 0007:00:00.1: timed out waiting for pending transaction; performing function level reset anyway',
      '[    2.400000] pci 0000:00:02.0: reset via FLR failed',
    ],
    re: /(?:reset|FLR) (?:failed|timed out|timeout)|[Ff]ailed to reset|timed out waiting for pending transaction/,
    fields: (m) => ({ message: m[0] }),
    meaning: (_f, ctx, device) => `A reset of ${who(device)} did not complete cleanly ("${ctx.text.trim()}"): the device may keep DMA running or come back in a bad state.`,
  },
  {
    kind: 'device-reset',
    family: 'pci',
    layer: 'device',
    severity: 'info',
    anchors: [],
    gated: ['reset'],
    diff: null,
    examples: ['amdgpu 0000:0b:00.0: amdgpu: GPU reset begin!'],
    re: /\breset/,
    when: (_m, ctx) => ctx.parsed.device?.address != null,
    meaning: (_f, ctx, device) => `${who(device)} logged a reset: "${ctx.text.trim()}".`,
  },
  {
    // Older kernels: "BAR 0: …"; from 6.8 the resource follows: "BAR 0 [mem …]: can't claim; …".
    kind: 'bar-problem',
    family: 'pci',
    layer: 'device',
    severity: 'warning',
    anchors: [],
    gated: ['BAR '],
    diff: 'bar-conflict',
    cause: 'bar-conflict',
    examples: ['pci 0000:01:00.0: BAR 0 [mem 0xf6000000-0xf6ffffff]: can\'t claim; no compatible bridge window'],
    re: /BAR \d+.*(?:can't|cannot|no space|failed|conflict|invalid|Disabling)|(?:claim|reserve|assign) BAR/,
    meaning: (_f, ctx, device) => `The kernel could not set up a BAR of ${who(device)}: "${ctx.text.trim()}".`,
  },
  {
    kind: 'smmu-fault',
    family: 'iommu',
    layer: 'device',
    severity: 'error',
    anchors: ['smmu', 'SMMU'],
    diff: 'dma-fault',
    cause: 'dma-fault',
    examples: [
      '[   20.501062] arm-smmu 16c0000.iommu: Unhandled context fault: fsr=0x402, iova=0x00000000, fsynr=0x1, cbfrsynra=0x1900, cb=0',
      'arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0xfc401000, fsynr=0x60003, cbfrsynra=0x121, cb=38',
    ],
    re: /smmu.*(?:fault|Unhandled context)/,
    fields: (_m, ctx) => {
      const iova = /iova=(0x[0-9a-fA-F]+)/.exec(ctx.text);
      const sid = /cbfrsynra=(0x[0-9a-fA-F]+)/.exec(ctx.text);
      return { iova: iova ? (iova[1] as string).toLowerCase() : null, streamId: sid ? (sid[1] as string).toLowerCase() : null };
    },
    device: () => null,
    meaning: (f) =>
      `The ARM SMMU refused a DMA${f['iova'] ? ` at IOVA ${String(f['iova'])}` : ''}${f['streamId'] ? ` from stream ${String(f['streamId'])}` : ''}: nothing is mapped there for the device (the ARM counterpart of a DMAR / AMD-Vi fault).`,
  },
  {
    kind: 'firmware-bug',
    family: 'boot',
    layer: 'firmware',
    severity: 'notice',
    anchors: [],
    gated: ['[Firmware Bug]', '[Firmware Warn]'],
    diff: 'firmware-bug',
    examples: [
      '[Firmware Bug]: TSC_DEADLINE disabled due to Errata; please update microcode to version: 0x3a (or later)',
      'ACPI: [Firmware Bug]: BIOS _OSI(Linux) query ignored',
    ],
    re: /\[Firmware (Bug|Warn)\]:? ?(.*)$/,
    fields: (m) => ({ level: (m[1] as string).toLowerCase(), problem: (m[2] as string).trim() }),
    device: () => null,
    meaning: (f) => `The kernel reports a firmware ${f['level'] === 'bug' ? 'bug' : 'problem'}: ${String(f['problem'])}. A BIOS/UEFI update may fix it.`,
  },
  {
    kind: 'kernel-tainted',
    family: 'boot',
    layer: 'kernel',
    severity: 'info',
    anchors: [],
    gated: ['taint'],
    diff: null,
    examples: ['[   22.035106] Disabling lock debugging due to kernel taint', "zfs: module license 'CDDL' taints kernel."],
    re: /tainting kernel|taints kernel|due to kernel taint/,
    device: () => null,
    meaning: 'The kernel is tainted (an out-of-tree, unsigned or proprietary module, or an earlier warning): crash reports from it are judged with that in mind.',
  },
];
