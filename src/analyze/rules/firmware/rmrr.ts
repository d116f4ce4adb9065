import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { deviceLogMatches } from '../../log-evidence.js';
import { describeDevice } from '../../pci-facts.js';

export const rmrr: Rule = {
  meta: {
    id: 'rmrr',
    layer: 'firmware',
    title: 'Firmware direct-mapped region (RMRR / IVMD)',
    causes: ['rmrr-blocked'],
    description: 'No target has a firmware direct-mapped region (RMRR / IVMD) that blocks its assignment.',
  },
  check(ctx, out) {
    const seen = new Set<number>();
    for (const t of ctx.targets) {
      const d = ctx.device(t.address);
      if (!d) continue;
      const evidence: Evidence[] = [];
      if (d.iommuGroup !== null && !seen.has(d.iommuGroup)) {
        seen.add(d.iommuGroup);
        const g = ctx.snap.iommu.groups?.find((x) => x.id === d.iommuGroup);
        for (const r of (g?.reservedRegions ?? []).filter((x) => x.type === 'direct')) {
          evidence.push({ source: `/sys/kernel/iommu_groups/${d.iommuGroup}/reserved_regions`, text: `${r.start} ${r.end} ${r.type}` });
        }
      }
      evidence.push(...deviceLogMatches(ctx.snap, d.address, /ineligible for IOMMU domain attach due to platform RMRR|RMRR/));
      if (evidence.length === 0) continue;
      out.report({
        cause: 'rmrr-blocked',
        severity: 'fail',
        subject: d.address,
        title: `The firmware reserves memory for ${describeDevice(d)} (RMRR): it cannot be assigned`,
        evidence,
        decision:
          'The firmware says the device keeps doing DMA to a fixed region (often for the BMC / management engine, or a RAID controller\'s cache). Intel IOMMU refuses to hand such a device to a VM. Look for a BIOS option that turns the device\'s firmware features off (e.g. HP "HP Shared Memory features", Dell "SR-IOV/IO" settings) or update the BIOS; kernels with the "relaxable RMRR" patch (Proxmox\'s pve-kernel "relaxable-rmrr" builds) ignore it, at the risk of DMA corruption.',
      });
    }
  },
};
