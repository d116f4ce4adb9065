import type { Rule } from '../../rule.js';
import { eventsOf, originWords, toolLines } from '../evidence-events.js';

// libvirt refuses VFIO when /sys/kernel/iommu_groups is empty *or* /dev/vfio/vfio is missing; Proxmox when
// no IOMMU registered. Said without the host's sysfs, that narrows the break to the first layers but does
// not tell firmware from command line from module: the verdict names what would.
export const iommuUnavailableReported: Rule = {
  meta: {
    id: 'iommu-unavailable-reported',
    layer: 'firmware',
    title: 'VM manager reports no IOMMU / VFIO',
    causes: [],
    description: 'When only a VM manager says VFIO or the IOMMU is unavailable, names the evidence that tells a firmware switch from a kernel option or a missing module.',
  },
  check(ctx, out) {
    if (ctx.iommuActive !== null) return;
    const where = originWords(ctx.snap);
    const settle = "dmesg | grep -i -e DMAR -e AMD-Vi -e IVRS; ls /sys/kernel/iommu_groups; ls -l /dev/vfio; cat /proc/cmdline";
    for (const s of eventsOf(ctx.snap, ['libvirt-vfio-unsupported']).slice(0, 1)) {
      out.cannotCheck(
        null,
        `libvirt says VFIO assignment is not supported (${s.evidence.source}:${s.evidence.line}): it finds no IOMMU groups or no /dev/vfio/vfio. Whether VT-d / AMD-Vi is off in the firmware, missing from the kernel command line, or vfio is not loaded is not in ${where}`,
        settle,
      );
    }
    for (const t of toolLines(ctx.snap, /cannot prepare PCI pass-through, IOMMU not present|host doesn't support passthrough of host PCI devices/).slice(0, 1)) {
      out.cannotCheck(
        null,
        `${t.message.tool === 'proxmox' ? 'Proxmox' : 'The VM manager'} says there is no IOMMU (${t.evidence.source}:${t.evidence.line}). Whether the firmware exposes it or the kernel command line turns it off is not in ${where}`,
        settle,
      );
    }
  },
};
