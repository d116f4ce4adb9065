import { LAYERS } from '../../analyze/layers.js';
import type { DiffReport } from '../types.js';
import { countsLine, sideLine } from './words.js';
import { findingMarkdown, findingMarkdownLabel, mdCell, mdCode } from '../../render/finding.js';

// For pasting into a change request or ticket: a summary table, then each layer's changes with the
// before/after values in code spans (host paths and log lines keep their characters).

export function renderDiffMarkdown(r: DiffReport): string {
  const out: string[] = [];
  out.push('### vfio-doctor diff');
  out.push('');
  out.push(`- **before:** ${mdCell(sideLine(r.before))}`);
  out.push(`- **after:** ${mdCell(sideLine(r.after))}`);
  out.push(`- **result:** ${r.counts.regression > 0 ? '❌' : '✅'} ${countsLine(r)}`);
  out.push('');
  if (r.changes.length === 0) {
    out.push('No passthrough-relevant difference.');
    out.push('');
  } else {
    out.push('| layer | change | kind | subject |');
    out.push('|---|---|---|---|');
    for (const c of r.changes) out.push(`| ${c.layer} | ${mdCell(c.title)} | ${findingMarkdownLabel(c)} | ${c.subject ? mdCode(c.subject) : ''} |`);
    out.push('');
  }
  for (const layer of LAYERS) {
    const cs = r.changes.filter((c) => c.layer === layer);
    if (cs.length === 0) continue;
    out.push(`#### ${layer}`);
    out.push('');
    for (const c of cs) out.push(...findingMarkdown(c));
    out.push('');
  }
  if (r.notes.length > 0) {
    out.push('#### not compared');
    out.push('');
    for (const n of r.notes) out.push(`- ${mdCell(n)}`);
    out.push('');
  }
  return out.join('\n');
}
