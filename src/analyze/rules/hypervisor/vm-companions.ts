import type { Rule } from '../../rule.js';
import { describeDevice, isBridge, vfioCompatibleDriver } from '../../pci-facts.js';
import { slotOf } from '../../../pci/address.js';
import { assignedFunctions, hypervisorInfo, vmLabel, vmsInScope } from '../../../hypervisor/vms.js';
import { configEvidence } from './vm-hostdev-address.js';
import { guideFor } from '../../../hypervisor/managers.js';

// A sibling left on a host driver is the binding layer's companion-not-bound; one that is free (vfio-pci
// or no driver) but in no VM leaves the guest with half a device: the group is viable, the VM starts, and
// the GPU's audio or the card's other ports are missing, while a reset of the card still hits both.
// A sibling another VM takes is vm-shared-group's case.
export const vmCompanions: Rule = {
  meta: {
    id: 'vm-companions',
    layer: 'hypervisor',
    title: 'VM takes the whole multifunction device',
    causes: ['vm-config-mismatch'],
    description: 'A VM that takes one function of a multifunction device also takes its siblings in the same IOMMU group.',
  },
  check(ctx, out) {
    const info = hypervisorInfo(ctx.snap);
    if (!info) return;
    const everyVm = info.vms.flatMap((vm) => assignedFunctions(ctx.snap, info, vm));
    for (const vm of vmsInScope(info)) {
      const mine = assignedFunctions(ctx.snap, info, vm);
      const taken = new Set(mine.map((f) => f.address));
      const reported = new Set<string>();
      for (const f of mine) {
        const d = ctx.device(f.address);
        if (!d || d.physfn !== null) continue;
        for (const o of ctx.snap.pci) {
          if (o.address === d.address || slotOf(o.address) !== slotOf(d.address) || taken.has(o.address) || reported.has(o.address)) continue;
          if (isBridge(o) || o.physfn !== null) continue;
          if (d.iommuGroup !== null && o.iommuGroup !== d.iommuGroup) continue;
          if (!vfioCompatibleDriver(o.driver)) continue;
          if (everyVm.some((x) => x.address === o.address && x.vm !== vm)) continue;
          reported.add(o.address);
          const whole = guideFor(vm).wholeDevice(vm, f.assignment, slotOf(d.address), o.address);
          out.report({
            cause: 'vm-config-mismatch',
            severity: 'warn',
            subject: d.address,
            title: `${vmLabel(vm)} takes ${d.address} but not ${o.address}, its sibling in the same slot${d.iommuGroup !== null ? ` and IOMMU group ${d.iommuGroup}` : ''}`,
            evidence: [configEvidence(vm, f.assignment), { source: `/sys/bus/pci/devices/${o.address}`, text: `${describeDevice(o)}, driver ${o.driver ?? 'none'}` }],
            decision: whole.decision,
            commands: [whole.command],
          });
        }
      }
    }
  },
};
