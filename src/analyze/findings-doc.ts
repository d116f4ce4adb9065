import { CAUSES } from './causes.js';
import { LAYERS, LAYER_QUESTIONS } from './layers.js';
import { RULE_KINDS, type CataloguedRule, type RuleKind } from '../rules/catalogue.js';

// The heading of a rule; kinds other than analyze say theirs, since ids may repeat across kinds
// (vfio-modules is a rule, a preflight check and a diff class).
function heading(r: CataloguedRule): string {
  return r.kind === 'analyze' ? r.meta.id : `${r.meta.id} (${r.kind})`;
}

// GitHub's anchor for a heading: lower case, punctuation other than '-' dropped, spaces to '-'.
function anchor(r: CataloguedRule): string {
  return heading(r).toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}

function link(r: CataloguedRule): string {
  return `[${heading(r)}](#${anchor(r)})`;
}

function section(out: string[], kind: RuleKind, rules: CataloguedRule[]): void {
  const k = RULE_KINDS[kind];
  out.push('');
  out.push(`## ${k.heading} (${k.command}), by layer`);
  for (const layer of LAYERS) {
    const rs = rules.filter((r) => r.kind === kind && r.meta.layer === layer);
    if (rs.length === 0 && kind !== 'analyze') continue;
    out.push('');
    out.push(`### ${kind === 'analyze' ? '' : `${kind}, `}${layer}: ${LAYER_QUESTIONS[layer]}`);
    if (rs.length === 0) out.push('', 'No rule yet.');
    for (const r of rs) {
      out.push('');
      out.push(`#### ${heading(r)}`);
      out.push('');
      out.push(`**${r.meta.title}.** ${r.meta.description}`);
      out.push('');
      if (r.meta.alsoLayers?.length) out.push(`- also in the layers ${r.meta.alsoLayers.join(', ')}`);
      if (r.meta.reports?.length) out.push(`- finding ids: ${r.meta.reports.map((id) => `\`${id}\``).join(', ')}`);
      if (r.meta.fix) out.push(`- fix: ${r.meta.fix}`);
      for (const c of r.meta.causes) out.push(`- cause \`${c}\`: ${CAUSES[c]?.meaning ?? 'a cause of a knowledge-base entry (docs/knowledge-base.md)'}`);
    }
  }
}

/** docs/findings.md, generated from the meta of every rule, preflight check and diff class, so that it cannot drift from the code. */
export function findingsDoc(rules: CataloguedRule[]): string {
  const out: string[] = [];
  out.push('# Findings and causes');
  out.push('');
  out.push('Generated from the rules (`npm run docs` rewrites it; a test fails when it is stale).');
  out.push('A finding has a stable `id` (the rule that reported it), a `layer`, a `cause`, a `severity`');
  out.push('(`fail`, `warn`, `info`), the evidence, and the decision with the commands for the host\'s');
  out.push('distribution family. Causes are part of the JSON interface: scripts may match on them.');
  out.push('');
  out.push('Three kinds of rule report findings, all with the same self-description (`RuleMeta` in');
  out.push('src/analyze/rule.ts: `id`, `layer`, `causes`, `title`, `description`, optional `fix`, `reports`):');
  out.push('');
  out.push('| kind | command | where to add one |');
  out.push('|---|---|---|');
  for (const [, k] of Object.entries(RULE_KINDS)) out.push(`| ${k.heading.toLowerCase()} | ${k.command} | ${k.where} |`);
  out.push('');
  out.push('A new rule is listed here once it is in its index and `npm run docs` has run; a cause it reports');
  out.push('must be in src/analyze/causes.ts. Test it with the rule tester (test/rules/tester.ts): a table of');
  out.push('valid inputs that report nothing and one of invalid inputs with the findings they must report.');
  out.push('');
  out.push('## Causes');
  out.push('');
  out.push('| cause | layer | meaning | reported by |');
  out.push('|---|---|---|---|');
  for (const [cause, info] of Object.entries(CAUSES)) {
    const by = rules.filter((r) => r.meta.causes.includes(cause)).map(link);
    out.push(`| \`${cause}\` | ${info.layer} | ${info.meaning.replace(/\|/g, '\\|')} | ${by.join(', ') || 'not yet reported by a rule'} |`);
  }
  for (const kind of Object.keys(RULE_KINDS) as RuleKind[]) section(out, kind, rules);
  out.push('');
  return out.join('\n');
}
