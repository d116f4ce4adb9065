import type { DiffReport, SideSummary } from '../types.js';
import { plural } from './words.js';

// One line for the journal at boot: enough to see at a glance whether the update broke something, and
// where to look; `vfio-doctor diff --last` gives the whole story.

function side(s: SideSummary): string {
  return `${s.kernelRelease ?? 'unknown kernel'} (boot ${s.bootId ? s.bootId.replace(/-/g, '').slice(0, 8) : 'unknown'})`;
}

export function renderDiffSummary(r: DiffReport): string {
  const head = `vfio-doctor diff: ${side(r.before)} → ${side(r.after)}`;
  const regressions = r.changes.filter((c) => c.kind === 'regression');
  const tail = `${plural(r.counts.improvement, 'improvement')}, ${r.counts.neutral} neutral`;
  if (regressions.length === 0) return `${head}: no regression; ${tail}\n`;
  const first = regressions[0]!;
  const more = regressions.length > 1 ? ` (+${regressions.length - 1} more)` : '';
  return `${head}: ${plural(regressions.length, 'REGRESSION')} — ${first.layer}: ${first.title}${more}; ${tail}\n`;
}
