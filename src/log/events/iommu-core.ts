// Generic IOMMU core lines (drivers/iommu/iommu.c): default domain type, TLB invalidation policy and
// group membership. Group adds are the log's proof that DMA remapping is active.

import { normalisePciAddress } from '../../pci/address.js';
import { errnoName } from '../tables/errno.js';
import type { Rule } from './types.js';

export const IOMMU_CORE_RULES: Rule[] = [
  {
    kind: 'iommu-default-domain',
    family: 'iommu',
    layer: 'kernel',
    severity: 'info',
    anchors: ['iommu: Default domain type'],
    diff: null,
    examples: [
      'iommu: Default domain type: Translated',
      'iommu: Default domain type: Translated ',
      'iommu: Default domain type: Passthrough (set via kernel command line)',
    ],
    re: /^iommu: Default domain type: (\w+) ?(\(set via kernel command line\))?/,
    era: '>= 5.2',
    fields: (m) => ({ type: m[1] as string, viaCmdline: m[2] !== undefined }),
    device: () => null,
    meaning: (f) => {
      const how = f['viaCmdline'] === true ? ' (chosen on the kernel command line)' : '';
      if (f['type'] === 'Passthrough') {
        return `Host-owned devices get identity (passthrough) domains${how}, e.g. iommu=pt. Devices given to VMs still get translated domains: passthrough does not stop VFIO.`;
      }
      if (f['type'] === 'Translated') return `Host-owned devices get translated DMA domains${how}.`;
      return `Default IOMMU domain type for host devices: ${String(f['type'])}${how}.`;
    },
  },
  {
    kind: 'iommu-tlb-policy',
    family: 'iommu',
    layer: 'kernel',
    severity: 'info',
    anchors: ['iommu: DMA domain TLB'],
    diff: null,
    examples: [
      'iommu: DMA domain TLB invalidation policy: lazy mode',
      'iommu: DMA domain TLB invalidation policy: strict mode (set via kernel command line)',
    ],
    re: /^iommu: DMA domain TLB invalidation policy: (strict|lazy) mode ?(\(set via kernel command line\))?/,
    era: '>= 5.14',
    fields: (m) => ({ vendor: null, mode: m[1] as string, viaCmdline: m[2] !== undefined }),
    device: () => null,
    meaning: (f) => `IOTLB invalidation for translated domains is ${String(f['mode'])}; this line only appears when the default domain is not passthrough.`,
  },
  {
    kind: 'iommu-passthrough-refused',
    family: 'iommu',
    layer: 'kernel',
    severity: 'notice',
    anchors: ['Disabling default IOMMU Passthrough'],
    diff: null,
    examples: [
      'iommu: Memory encryption detected - Disabling default IOMMU Passthrough',
    ],
    re: /Memory encryption detected - Disabling default IOMMU Passthrough/,
    device: () => null,
    meaning: 'Memory encryption (SME/SEV/TDX) is active, so iommu=pt / passthrough defaults are ignored and host devices are translated.',
  },
  {
    kind: 'iommu-group-add',
    family: 'iommu',
    layer: 'kernel',
    severity: 'info',
    anchors: ['iommu: Adding device'],
    diff: null,
    examples: [
      'iommu: Adding device 0000:01:00.0 to group 1',
    ],
    re: /^iommu: Adding device (\S+) to group (\d+)/,
    signals: ['dma-remapping-active'],
    era: '< ~5.5',
    fields: (m) => ({ group: Number(m[2]) }),
    device: (m) => normalisePciAddress(m[1] as string),
    meaning: (f, _ctx, device) => `${device ?? 'A device'} joined IOMMU group ${String(f['group'])}: DMA remapping is active.`,
  },
  {
    kind: 'iommu-group-add',
    family: 'iommu',
    layer: 'kernel',
    severity: 'info',
    anchors: ['Adding to iommu group'],
    diff: null,
    examples: [
      '[    0.581102] pci 0000:01:00.0: Adding to iommu group 1',
      '[    0.300000] pci 0000:01:00.0: Adding to iommu group 1',
      '[    0.520441] pci 0000:01:00.0: Adding to iommu group 1',
    ],
    re: /^Adding to iommu group (\d+)/,
    signals: ['dma-remapping-active'],
    era: '>= ~5.5',
    fields: (m) => ({ group: Number(m[1]) }),
    meaning: (f, _ctx, device) => `${device ?? 'A device'} joined IOMMU group ${String(f['group'])}: DMA remapping is active.`,
  },
  {
    kind: 'iommu-group-add-failed',
    family: 'iommu',
    layer: 'isolation',
    severity: 'error',
    anchors: ['Failed to add to iommu group'],
    diff: 'iommu-error',
    examples: [
      'pci 0000:05:00.0: Failed to add to iommu group 14: -16',
    ],
    re: /Failed to add to iommu group (\d+): (-?\d+)/,
    fields: (m) => {
      const e = errnoName(Number(m[2]));
      return { group: Number(m[1]), errno: Number(m[2]), errnoName: e.name, errnoText: e.text };
    },
    meaning: (f, _ctx, device) => `${device ?? 'A device'} could not join IOMMU group ${String(f['group'])} (${String(f['errnoName'] ?? f['errno'])}): it cannot be assigned to a VM.`,
  },
  {
    kind: 'iommu-group-remove',
    family: 'iommu',
    layer: 'isolation',
    severity: 'info',
    anchors: ['Removing from iommu group'],
    diff: null,
    examples: [
      'pci 0000:05:00.0: Removing from iommu group 14',
    ],
    re: /Removing from iommu group (\d+)/,
    fields: (m) => ({ group: Number(m[1]) }),
    meaning: (f, _ctx, device) => `${device ?? 'A device'} left IOMMU group ${String(f['group'])} (device removed or hot-unplugged).`,
  },
  {
    kind: 'iommu-group-type-conflict',
    family: 'iommu',
    layer: 'isolation',
    severity: 'notice',
    anchors: ['in the same iommu group requires type'],
    diff: null,
    examples: [
      'pci 0000:00:14.0: Device needs domain type identity, but device 0000:00:14.2 in the same iommu group requires type DMA - using default',
    ],
    re: /Device needs domain type (\S+), but device (\S+) in the same iommu group requires type (\S+) - using default/,
    fields: (m) => ({ wanted: m[1] as string, other: normalisePciAddress(m[2] as string) ?? (m[2] as string), otherType: m[3] as string }),
    meaning: (f, _ctx, device) =>
      `${device ?? 'A device'} wanted a ${String(f['wanted'])} domain but shares its IOMMU group with ${String(f['other'])}, which needs ${String(f['otherType'])}; the group uses the default.`,
  },
];
