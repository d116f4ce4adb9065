import { kernelAtLeast } from '../../analyze/context.js';
import { isBridge } from '../../analyze/pci-facts.js';
import type { ChangeKind } from '../types.js';
import { change, label, type ChangeClass } from './class.js';

// reset_method lists the resets the kernel will use for a function, best first. A kernel update can
// drop one (a new quirk disables FLR, a bus reset becomes unavailable behind a changed bridge); for a
// target that decides whether a VM can be restarted without rebooting the host.

function same(x: string[], y: string[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function text(m: string[] | null): string | null {
  return m === null ? null : m.length ? m.join(' ') : '(none)';
}

export const resetMethods: ChangeClass = {
  meta: {
    id: 'reset-methods',
    layer: 'device',
    causes: ['reset-unsupported'],
    title: 'Reset methods',
    description: 'The reset_method list of each target.',
    reports: ['reset-methods-changed'],
  },
  compare(ctx, out) {
    // The file exists from 5.15; on older kernels its absence says nothing.
    const fileA = kernelAtLeast(ctx.a.analysis.kernel, 5, 15) !== false;
    const fileB = kernelAtLeast(ctx.b.analysis.kernel, 5, 15) !== false;
    for (let i = 0; i < ctx.matchedA.length; i++) {
      const da = ctx.matchedA[i]!;
      const db = ctx.matchedB[i]!;
      const x = da.address;
      const y = db.address;
      if (isBridge(db)) continue;
      let was = da.resetMethods;
      let now = db.resetMethods;
      if ((was === null && !fileA) || (now === null && !fileB)) continue;
      // Without the file on a new kernel the function has no reset method at all.
      was ??= [];
      now ??= [];
      if (same(was, now)) continue;
      const lost = was.filter((m) => !now.includes(m));
      const gained = now.filter((m) => !was.includes(m));
      const target = ctx.isTargetA(x) || ctx.isTargetB(y);
      let kind: ChangeKind = 'neutral';
      if (target && lost.length) kind = 'regression';
      else if (target && gained.length) kind = 'improvement';
      const what = [lost.length ? `lost ${lost.join(', ')}` : '', gained.length ? `gained ${gained.join(', ')}` : '', !lost.length && !gained.length ? 'order changed' : ''].filter(Boolean).join('; ');
      out.add(
        change('reset-methods-changed', 'device', kind, `${label(db, y)}${target ? ' (target)' : ''}: reset methods ${what}${now.length === 0 ? ' — no reset method left' : ''}`, [
          { what: 'reset_method', before: text(da.resetMethods), after: text(db.resetMethods), source: `/sys/bus/pci/devices/${y}/reset_method` },
        ], { subject: y, cause: kind === 'regression' && now.length === 0 ? 'reset-unsupported' : null }),
      );
    }
  },
};
