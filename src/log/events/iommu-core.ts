// Generic IOMMU core lines (drivers/iommu/iommu.c): default domain type, TLB invalidation policy and
// group membership. Group adds are the log's proof that DMA remapping is active.

import { normalisePciAddress } from '../../pci/address.js';
import { errnoName } from '../tables/errno.js';
import type { Rule } from './types.js';

export const IOMMU_CORE_RULES: Rule[] = [
  {
    kind: 'iommu-default-domain',
    family: 'iommu',
    severity: 'info',
    hint: 'Default domain type',
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
    severity: 'info',
    hint: 'TLB invalidation policy',
    re: /^iommu: DMA domain TLB invalidation policy: (strict|lazy) mode ?(\(set via kernel command line\))?/,
    era: '>= 5.14',
    fields: (m) => ({ vendor: null, mode: m[1] as string, viaCmdline: m[2] !== undefined }),
    device: () => null,
    meaning: (f) => `IOTLB invalidation for translated domains is ${String(f['mode'])}; this line only appears when the default domain is not passthrough.`,
  },
  {
    kind: 'iommu-passthrough-refused',
    family: 'iommu',
    severity: 'notice',
    hint: 'Memory encryption detected',
    re: /Memory encryption detected - Disabling default IOMMU Passthrough/,
    device: () => null,
    meaning: 'Memory encryption (SME/SEV/TDX) is active, so iommu=pt / passthrough defaults are ignored and host devices are translated.',
  },
  {
    kind: 'iommu-group-add',
    family: 'iommu',
    severity: 'info',
    hint: 'to group',
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
    severity: 'info',
    hint: 'Adding to iommu group',
    re: /^Adding to iommu group (\d+)/,
    signals: ['dma-remapping-active'],
    era: '>= ~5.5',
    fields: (m) => ({ group: Number(m[1]) }),
    meaning: (f, _ctx, device) => `${device ?? 'A device'} joined IOMMU group ${String(f['group'])}: DMA remapping is active.`,
  },
  {
    kind: 'iommu-group-add-failed',
    family: 'iommu',
    severity: 'error',
    hint: 'Failed to add to iommu group',
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
    severity: 'info',
    hint: 'Removing from iommu group',
    re: /Removing from iommu group (\d+)/,
    fields: (m) => ({ group: Number(m[1]) }),
    meaning: (f, _ctx, device) => `${device ?? 'A device'} left IOMMU group ${String(f['group'])} (device removed or hot-unplugged).`,
  },
  {
    kind: 'iommu-group-type-conflict',
    family: 'iommu',
    severity: 'notice',
    hint: 'in the same iommu group requires type',
    re: /Device needs domain type (\S+), but device (\S+) in the same iommu group requires type (\S+) - using default/,
    fields: (m) => ({ wanted: m[1] as string, other: normalisePciAddress(m[2] as string) ?? (m[2] as string), otherType: m[3] as string }),
    meaning: (f, _ctx, device) =>
      `${device ?? 'A device'} wanted a ${String(f['wanted'])} domain but shares its IOMMU group with ${String(f['other'])}, which needs ${String(f['otherType'])}; the group uses the default.`,
  },
];
