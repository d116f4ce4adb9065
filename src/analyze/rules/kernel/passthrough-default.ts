import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { logMatches } from '../../log-evidence.js';

export const passthroughDefault: Rule = {
  meta: {
    id: 'passthrough-default',
    layer: 'kernel',
    title: 'Identity (passthrough) DMA mappings for host devices',
    causes: ['iommu-passthrough-default'],
    description: 'Notes when host devices use identity (passthrough) DMA mappings: fine for VFIO, but host devices are not isolated.',
    warnOnly: true,
  },
  check(ctx, out) {
    if (ctx.iommuActive !== true) return;
    const s = ctx.snap;
    const evidence: Evidence[] = [];
    const o = s.host.cmdline?.iommu;
    if (o?.iommu === 'pt') evidence.push({ source: '/proc/cmdline', text: 'iommu=pt' });
    if (o?.iommuPassthrough === '1') evidence.push({ source: '/proc/cmdline', text: 'iommu.passthrough=1' });
    const identity = (s.iommu.groups ?? []).filter((g) => g.type === 'identity');
    if (identity.length > 0 && identity.length === (s.iommu.groups ?? []).length) {
      evidence.push({ source: '/sys/kernel/iommu_groups/*/type', text: `identity in all ${identity.length} groups` });
    }
    evidence.push(...logMatches(s, /iommu: Default domain type: Passthrough|force enabled due to platform opt in/, 2));
    if (evidence.length === 0) return;
    out.report({
      cause: 'iommu-passthrough-default',
      severity: 'info',
      title: 'Host devices use passthrough (identity) DMA mappings',
      evidence,
      decision: 'VFIO still isolates the devices it owns. Host devices, though, can reach all memory. Keep it if you chose it for performance; while troubleshooting DMA faults, try without iommu=pt first.',
    });
  },
};
