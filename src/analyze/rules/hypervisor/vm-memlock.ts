import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { assignedFunctions, hypervisorInfo, vmLabel, vmsInScope } from '../../../hypervisor/vms.js';
import { sh } from '../../shell.js';

const GiB = 1024 * 1024;
const human = (kib: number) => (kib >= GiB ? `${+(kib / GiB).toFixed(1)} GiB` : `${Math.round(kib / 1024)} MiB`);

// Who holds QEMU's locked-memory limit decides what can be wrong:
// - Proxmox VE runs QEMU as root with CAP_IPC_LOCK, which the kernel's pinning accounting exempts.
// - The system libvirt daemon sets RLIMIT_MEMLOCK of each QEMU process itself (guest memory plus 1 GiB
//   for VFIO, times the number of devices with a virtual IOMMU), unless <memtune><hard_limit> is given:
//   then that is the limit. The daemon's own LimitMEMLOCK and limits.conf do not reach QEMU there.
// So the configuration can only be wrong through a hard_limit below what must be pinned.
export const vmMemlock: Rule = {
  meta: {
    id: 'vm-memlock',
    layer: 'hypervisor',
    title: 'libvirt memory hard limit below guest memory',
    causes: ['memlock-limit'],
    description: 'A libvirt domain with assigned devices does not cap its locked memory (<memtune><hard_limit>) below the guest memory VFIO must pin.',
  },
  check(ctx, out) {
    const info = hypervisorInfo(ctx.snap);
    if (!info) return;
    for (const vm of vmsInScope(info)) {
      if (vm.hardLimitKiB === null || vm.memoryKiB === null) continue;
      const fns = assignedFunctions(ctx.snap, info, vm);
      if (fns.length === 0) continue;
      const copies = vm.viommu !== null ? Math.max(1, vm.devices.length) : 1;
      const need = (vm.memoryKiB + GiB) * copies;
      if (vm.hardLimitKiB >= vm.memoryKiB * copies) continue;
      const evidence: Evidence[] = [
        { source: vm.file, text: `<memory> ${human(vm.memoryKiB)}` },
        { source: vm.file, text: `<memtune><hard_limit> ${human(vm.hardLimitKiB)}` },
      ];
      if (vm.viommu !== null) evidence.push({ source: vm.file, text: `<iommu model='${vm.viommu}'/>: every assigned device pins the guest memory separately (${vm.devices.length} devices)` });
      out.report({
        cause: 'memlock-limit',
        severity: 'fail',
        subject: fns[0]!.address,
        title: `${vmLabel(vm)} caps its locked memory at ${human(vm.hardLimitKiB)}, less than the ${human(vm.memoryKiB * copies)} VFIO must pin`,
        evidence,
        decision: `QEMU pins all guest RAM for device assignment, and libvirt uses <memtune><hard_limit> as the process's RLIMIT_MEMLOCK. The VM fails to start (VFIO_MAP_DMA: -12, "RLIMIT_MEMLOCK exceeded" in the kernel log). Remove the hard_limit, or raise it to at least ${human(need)} (guest memory plus 1 GiB for QEMU itself).`,
        commands: [sh`virsh memtune ${vm.name} --hard-limit ${need} --config`, sh`virsh edit ${vm.name}`],
      });
    }
  },
};
