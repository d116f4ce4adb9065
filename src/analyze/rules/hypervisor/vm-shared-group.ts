import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { assignedFunctions, hypervisorInfo, vmLabel, vmsInScope, type AssignedFunction } from '../../../hypervisor/vms.js';
import { configEvidence } from './vm-hostdev-address.js';

// Not group-shared: the group is handed over whole and nothing of the host is in it. The conflict is
// between VM definitions — VFIO gives a group to one user at a time, so whichever VM starts second
// fails ("group is busy" / "Device or resource busy"). VMs that take turns with the same device are a
// common, deliberate setup; it only breaks when both start with the host.
export const vmSharedGroup: Rule = {
  meta: {
    id: 'vm-shared-group',
    layer: 'hypervisor',
    title: 'IOMMU group shared between VMs',
    causes: ['vm-config-mismatch'],
    description: 'No two VMs that start together assign devices of the same IOMMU group; VMs that take turns are told so.',
  },
  check(ctx, out) {
    const info = hypervisorInfo(ctx.snap);
    if (!info) return;
    const scope = new Set(vmsInScope(info));
    const byGroup = new Map<number, AssignedFunction[]>();
    for (const vm of info.vms) {
      for (const f of assignedFunctions(ctx.snap, info, vm)) {
        const g = ctx.device(f.address)?.iommuGroup;
        if (g === null || g === undefined) continue;
        byGroup.set(g, [...(byGroup.get(g) ?? []), f]);
      }
    }
    for (const [group, fns] of [...byGroup].sort((a, b) => a[0] - b[0])) {
      const vms = [...new Set(fns.map((f) => f.vm))];
      if (vms.length < 2 || !vms.some((v) => scope.has(v))) continue;
      const addresses = (vm: (typeof vms)[number]) => new Set(fns.filter((f) => f.vm === vm).map((f) => f.address));
      const sameDevices = vms.every((v) => [...addresses(v)].join() === [...addresses(vms[0]!)].join());
      const autostart = vms.filter((v) => v.autostart);
      if (autostart.length < 2 && sameDevices) continue;
      const evidence: Evidence[] = fns.map((f) => configEvidence(f.vm, f.assignment, `${vmLabel(f.vm)}: ${f.address}`));
      evidence.push(...autostart.map((v) => ({ source: v.file, text: `${vmLabel(v)} starts with the host` })));
      out.report({
        cause: 'vm-config-mismatch',
        severity: autostart.length >= 2 ? 'fail' : 'warn',
        subject: fns.find((f) => scope.has(f.vm))!.address,
        title: `${vms.map(vmLabel).join(' and ')} both assign devices of IOMMU group ${group}${autostart.length >= 2 ? ' and both start with the host' : ''}`,
        evidence,
        decision:
          'An IOMMU group belongs to one VM at a time: while one of these VMs runs, the other fails to start (QEMU: group busy / "Device or resource busy"). ' +
          (autostart.length >= 2
            ? 'Both start at boot, so one of them fails every time: disable autostart/onboot for one, or give each VM devices of its own groups.'
            : 'Run them one at a time, or give each VM devices of different groups (another slot, or a card whose functions are isolated).'),
        commands: ['for g in /sys/kernel/iommu_groups/*; do echo "group ${g##*/}: $(ls $g/devices)"; done'],
      });
    }
  },
};
