import type { Snapshot } from '../../snapshot/types.js';
import { change, type ChangeClass } from './class.js';

// sysfs decides whether DMA remapping is on (groups exist), not the "IOMMU enabled" log line, which
// only says the option was parsed. The analysis context already answers it the same way.

function groupCount(s: Snapshot): string {
  if (s.iommu.groups === null) return 'not readable';
  return `${s.iommu.groups.length} IOMMU group${s.iommu.groups.length === 1 ? '' : 's'}`;
}

function units(s: Snapshot): string {
  return s.iommu.units.length ? s.iommu.units.map((u) => u.name).join(', ') : 'none';
}

export const iommuActivation: ChangeClass = {
  meta: {
    id: 'iommu-activation',
    layer: 'kernel',
    causes: ['iommu-inactive'],
    title: 'IOMMU activation',
    description: 'Whether IOMMU groups exist in both snapshots.',
    reports: ['iommu-deactivated', 'iommu-activated'],
  },
  compare(ctx, out) {
    const was = ctx.a.iommuActive;
    const now = ctx.b.iommuActive;
    if (was === null || now === null) {
      if (was !== now) out.note(`IOMMU activation not compared: /sys/kernel/iommu_groups was not readable in the ${was === null ? 'earlier' : 'later'} snapshot`);
      return;
    }
    if (was === now) return;
    const evidence = [
      { what: 'IOMMU groups', before: groupCount(ctx.a.snap), after: groupCount(ctx.b.snap), source: '/sys/kernel/iommu_groups' },
      { what: 'IOMMU units', before: units(ctx.a.snap), after: units(ctx.b.snap), source: '/sys/class/iommu' },
    ];
    if (now) out.add(change('iommu-activated', 'kernel', 'improvement', 'DMA remapping (IOMMU) is now active', evidence));
    else out.add(change('iommu-deactivated', 'kernel', 'regression', 'DMA remapping (IOMMU) is no longer active: no IOMMU groups, nothing can be passed through', evidence, { cause: 'iommu-inactive' }));
  },
};
