import { idSpecMatches } from '../../analyze/pci-facts.js';
import type { Side } from '../context.js';
import { change, type ChangeClass } from './class.js';

// The ids vfio-pci is told to claim, from the kernel command line and modprobe.d together: an id that
// is no longer configured leaves its devices to the host driver at the next boot.

function configured(s: Side): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const src of s.analysis.vfioIds) {
    const where = src.where === 'cmdline' ? '/proc/cmdline' : `${src.evidence.source}${src.evidence.line !== undefined ? `:${src.evidence.line}` : ''}`;
    for (const id of src.ids) {
      const key = id.trim().toLowerCase();
      const list = m.get(key);
      if (list) list.push(where);
      else m.set(key, [where]);
    }
  }
  return m;
}

export const vfioIds: ChangeClass = {
  meta: {
    id: 'vfio-ids',
    layer: 'binding',
    causes: ['vfio-ids-mismatch'],
    title: 'vfio-pci ids',
    description: 'The ids vfio-pci is told to claim, from the command line and modprobe.d together.',
    reports: ['vfio-ids-removed', 'vfio-ids-added'],
  },
  compare(ctx, out) {
    const was = configured(ctx.a);
    const now = configured(ctx.b);
    for (const [id, where] of was) {
      if (now.has(id)) continue;
      const present = ctx.b.snap.pci.filter((d) => idSpecMatches(id, d)).map((d) => d.address);
      out.add(
        change('vfio-ids-removed', 'binding', present.length ? 'regression' : 'neutral', `vfio-pci no longer configured to claim ${id}${present.length ? ` (${present.join(', ')})` : ''}`, [
          { what: `vfio-pci id ${id}`, before: where.join(', '), after: null },
        ], { subject: present[0] ?? null, cause: present.length ? 'vfio-ids-mismatch' : null }),
      );
    }
    for (const [id, where] of now) {
      if (was.has(id)) continue;
      out.add(change('vfio-ids-added', 'binding', 'neutral', `vfio-pci now configured to claim ${id}`, [{ what: `vfio-pci id ${id}`, before: null, after: where.join(', ') }]));
    }
  },
};
