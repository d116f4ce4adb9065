import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { assignedFunctions, hypervisorInfo, vmLabel, vmsInScope } from '../../../hypervisor/vms.js';
import { guideFor } from '../../../hypervisor/managers.js';

const GiB = 1024 * 1024;
const human = (kib: number) => (kib >= GiB ? `${+(kib / GiB).toFixed(1)} GiB` : `${Math.round(kib / 1024)} MiB`);

// Who holds QEMU's locked-memory limit decides what can be wrong:
// - Proxmox VE runs QEMU as root with CAP_IPC_LOCK, which the kernel's pinning accounting exempts.
// - The system libvirt daemon sets RLIMIT_MEMLOCK of each QEMU process itself (guest memory plus 1 GiB
//   for VFIO, times the number of devices with a virtual IOMMU), unless <memtune><hard_limit> is given:
//   then that is the limit. The daemon's own LimitMEMLOCK and limits.conf do not reach QEMU there.
// So the configuration can only be wrong through a hard_limit below what must be pinned.
// - A QEMU started by hand (or by a script or unit) is held to the RLIMIT_MEMLOCK it was started with,
//   unless it holds CAP_IPC_LOCK; collection reads that limit from /proc/PID/limits into the same field.
export const vmMemlock: Rule = {
  meta: {
    id: 'vm-memlock',
    layer: 'hypervisor',
    title: 'VM locked-memory limit below guest memory',
    causes: ['memlock-limit'],
    description: 'A VM with assigned devices is not held to a locked-memory limit below the guest memory VFIO must pin: a libvirt domain\'s <memtune><hard_limit>, or the RLIMIT_MEMLOCK of a running QEMU without CAP_IPC_LOCK.',
  },
  check(ctx, out) {
    const info = hypervisorInfo(ctx.snap);
    if (!info) return;
    for (const vm of vmsInScope(info)) {
      const guide = guideFor(vm).memlock;
      if (guide === undefined || vm.hardLimitKiB === null || vm.memoryKiB === null) continue;
      const fns = assignedFunctions(ctx.snap, info, vm);
      if (fns.length === 0) continue;
      const copies = vm.viommu !== null ? Math.max(1, vm.devices.length) : 1;
      const need = (vm.memoryKiB + GiB) * copies;
      if (vm.hardLimitKiB >= vm.memoryKiB * copies) continue;
      const evidence: Evidence[] = [
        { source: vm.file, text: guide.memoryText(human(vm.memoryKiB)) },
        { source: guide.limitSource(vm), text: guide.limitText(human(vm.hardLimitKiB)) },
      ];
      if (vm.viommu !== null) evidence.push({ source: vm.file, text: `${guide.viommuText(vm.viommu)}: every assigned device pins the guest memory separately (${vm.devices.length} devices)` });
      out.report({
        cause: 'memlock-limit',
        severity: 'fail',
        subject: fns[0]!.address,
        title: `${vmLabel(vm)} caps its locked memory at ${human(vm.hardLimitKiB)}, less than the ${human(vm.memoryKiB * copies)} VFIO must pin`,
        evidence,
        decision: guide.decision(human(need)),
        commands: guide.commands(vm, need),
      });
    }
  },
};
