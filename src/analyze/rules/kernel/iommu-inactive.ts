import type { Rule } from '../../rule.js';
import { inactiveReason } from '../../iommu-status.js';

export const iommuInactive: Rule = {
  meta: {
    id: 'iommu-inactive',
    layer: 'kernel',
    title: 'DMA remapping active',
    causes: ['iommu-inactive'],
    description: 'DMA remapping is active: IOMMU groups exist (the firmware table and the command line alone prove nothing).',
  },
  check(ctx, out) {
    const r = inactiveReason(ctx);
    if (r.kind !== 'not-initialised') return;
    const enabledLine = r.evidence.find((e) => /DMAR: IOMMU enabled/.test(e.text));
    out.report({
      cause: 'iommu-inactive',
      severity: 'fail',
      title: 'DMA remapping is not active: no IOMMU groups',
      evidence: [
        { source: '/sys/kernel/iommu_groups', text: 'empty' },
        { source: '/sys/class/iommu', text: ctx.snap.iommu.classPresent ? 'has units' : 'no IOMMU units registered' },
        ...r.evidence,
      ],
      decision: enabledLine
        ? '"DMAR: IOMMU enabled" only means intel_iommu=on was parsed; the driver never finished ("Intel(R) Virtualization Technology for Directed I/O" is missing). Look at the DMAR lines around it for a firmware bug or an early error, update the BIOS, and check that VT-d is on in the firmware setup.'
        : 'The firmware table and the command line look right, but the IOMMU driver did not register. Read the DMAR / AMD-Vi lines of the kernel log for the error, check that the kernel is built with the IOMMU driver (CONFIG_INTEL_IOMMU / CONFIG_AMD_IOMMU), and update the firmware.',
    });
  },
};
