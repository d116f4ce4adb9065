import { LAYERS } from '../../analyze/layers.js';
import type { DiffReport } from '../types.js';
import { countsLine, sideLine } from './words.js';

// For pasting into a change request or ticket: a summary table, then each layer's changes with the
// before/after values in code spans (host paths and log lines keep their characters).

function code(s: string | null): string {
  if (s === null) return '—';
  const fence = s.includes('`') ? '``' : '`';
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s.replace(/\|/g, '\\|').replace(/\n/g, ' ')}${pad}${fence}`;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

const KIND_LABEL = { regression: '**regression**', improvement: 'improvement', neutral: 'neutral' } as const;

export function renderDiffMarkdown(r: DiffReport): string {
  const out: string[] = [];
  out.push('### vfio-doctor diff');
  out.push('');
  out.push(`- **before:** ${cell(sideLine(r.before))}`);
  out.push(`- **after:** ${cell(sideLine(r.after))}`);
  out.push(`- **result:** ${r.counts.regression > 0 ? '❌' : '✅'} ${countsLine(r)}`);
  out.push('');
  if (r.changes.length === 0) {
    out.push('No passthrough-relevant difference.');
    out.push('');
  } else {
    out.push('| layer | change | kind | subject |');
    out.push('|---|---|---|---|');
    for (const c of r.changes) out.push(`| ${c.layer} | ${cell(c.title)} | ${KIND_LABEL[c.kind]} | ${c.subject ? code(c.subject) : ''} |`);
    out.push('');
  }
  for (const layer of LAYERS) {
    const cs = r.changes.filter((c) => c.layer === layer);
    if (cs.length === 0) continue;
    out.push(`#### ${layer}`);
    out.push('');
    for (const c of cs) {
      out.push(`- ${KIND_LABEL[c.kind]}: ${cell(c.title)} (\`${c.id}\`${c.cause ? `, cause \`${c.cause}\`` : ''})`);
      for (const e of c.evidence) {
        if (e.before === null && e.after === null) out.push(`  - ${cell(e.what)}`);
        else out.push(`  - ${cell(e.what)}: ${code(e.before)} → ${code(e.after)}${e.source ? ` (${cell(e.source)})` : ''}`);
      }
    }
    out.push('');
  }
  if (r.notes.length > 0) {
    out.push('#### not compared');
    out.push('');
    for (const n of r.notes) out.push(`- ${cell(n)}`);
    out.push('');
  }
  return out.join('\n');
}
