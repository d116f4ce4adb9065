import { LAYERS, LAYER_QUESTIONS } from '../../analyze/layers.js';
import type { Style } from '../../render/style.js';
import type { DiffReport } from '../types.js';
import { countsLine, sideLine } from './words.js';
import { findingText } from '../../render/finding.js';

export function renderDiffText(r: DiffReport, st: Style): string {
  const out: string[] = [];
  out.push(st.bold('vfio-doctor diff'));
  out.push(`  before: ${sideLine(r.before)}`);
  out.push(`  after:  ${sideLine(r.after)}`);
  out.push('');
  const verdict = r.counts.regression > 0 ? st.red(st.bold(`RESULT: ${countsLine(r)}`)) : st.green(st.bold(`RESULT: ${countsLine(r)}`));
  out.push(verdict);
  if (r.changes.length === 0) out.push('  no passthrough-relevant difference');
  out.push('');
  for (const layer of LAYERS) {
    const cs = r.changes.filter((c) => c.layer === layer);
    if (cs.length === 0) continue;
    out.push(`${st.bold(layer)} ${st.dim(`— ${LAYER_QUESTIONS[layer]}`)}`);
    for (const c of cs) out.push(...findingText(c, st, '  '));
    out.push('');
  }
  if (r.notes.length > 0) {
    out.push(st.bold('Not compared'));
    for (const n of r.notes) out.push(`  - ${n}`);
    out.push('');
  }
  return out.join('\n');
}
