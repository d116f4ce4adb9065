import type { DiffReport, SideSummary } from '../types.js';

// Phrases shared by the text, Markdown and one-line renderings, so they say the same thing.

export function sideLine(s: SideSummary): string {
  const parts = [
    s.collectedAt,
    s.hostname,
    `kernel ${s.kernelRelease ?? 'unknown'}`,
    `boot ${s.bootId ? s.bootId.replace(/-/g, '').slice(0, 8) : 'unknown'}`,
    s.label ? `label "${s.label}"` : null,
  ].filter((p): p is string => Boolean(p));
  return parts.join(', ') + (s.file ? ` (${s.file})` : '');
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function countsLine(r: DiffReport): string {
  const { regression, improvement, neutral } = r.counts;
  const first = r.firstRegressionLayer ? ` (first at the ${r.firstRegressionLayer} layer)` : '';
  return `${plural(regression, 'regression')}${first}, ${plural(improvement, 'improvement')}, ${neutral} neutral`;
}
