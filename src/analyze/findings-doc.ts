import { CAUSES } from './causes.js';
import { LAYERS, LAYER_QUESTIONS } from './layers.js';
import type { Rule } from './rule.js';

/** docs/findings.md, generated from the rules' own metadata so that it cannot drift from the code. */
export function findingsDoc(rules: Rule[]): string {
  const out: string[] = [];
  out.push('# Findings and causes');
  out.push('');
  out.push('Generated from the rules (`npm run docs` rewrites it; a test fails when it is stale).');
  out.push('A finding has a stable `id` (the rule that reported it), a `layer`, a `cause`, a `severity`');
  out.push('(`fail`, `warn`, `info`), the evidence, and the decision with the commands for the host\'s');
  out.push('distribution family. Causes are part of the JSON interface: scripts may match on them.');
  out.push('');
  out.push('## Causes');
  out.push('');
  out.push('| cause | layer | meaning | reported by |');
  out.push('|---|---|---|---|');
  for (const [cause, info] of Object.entries(CAUSES)) {
    const by = rules.filter((r) => r.meta.causes.includes(cause)).map((r) => `[${r.meta.id}](#${r.meta.id})`);
    out.push(`| \`${cause}\` | ${info.layer} | ${info.meaning.replace(/\|/g, '\\|')} | ${by.join(', ') || 'not yet reported by a rule'} |`);
  }
  out.push('');
  out.push('## Rules, by layer');
  for (const layer of LAYERS) {
    const rs = rules.filter((r) => r.meta.layer === layer);
    out.push('');
    out.push(`### ${layer}: ${LAYER_QUESTIONS[layer]}`);
    if (rs.length === 0) out.push('', 'No rule yet.');
    for (const r of rs) {
      out.push('');
      out.push(`#### ${r.meta.id}`);
      out.push('');
      out.push(r.meta.description);
      out.push('');
      for (const c of r.meta.causes) out.push(`- cause \`${c}\`: ${CAUSES[c]?.meaning ?? ''}`);
    }
  }
  out.push('');
  return out.join('\n');
}
