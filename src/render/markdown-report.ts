// check and analyze as Markdown, for a ticket or a forum post: the verdict, the chain, then every
// finding printed by the one Markdown finding renderer that preflight and diff use too.
import type { Snapshot } from '../snapshot/types.js';
import type { Report } from '../analyze/analyze.js';
import { LAYERS } from '../analyze/layers.js';
import { findingMarkdown, mdCell, mdCode } from './finding.js';
import { hostLine } from './text-report.js';
import { undeterminedWords } from './verdict-words.js';

function verdictLine(r: Report): string {
  const v = r.verdict;
  if (v.status === 'healthy') return '✅ healthy — every layer checked, nothing failing or warning';
  if (v.status === 'undetermined') return `❔ undetermined — ${undeterminedWords(v.layer)}`;
  return v.severity === 'fail' ? `❌ the ${v.layer} layer is broken (\`${v.cause}\`)` : `⚠️ the ${v.layer} layer has a warning (\`${v.cause}\`)`;
}

export function markdownReport(s: Snapshot, r: Report, command = 'check'): string {
  const out: string[] = [];
  out.push(`### vfio-doctor ${command}`);
  out.push('');
  out.push(`- **host:** ${mdCell(hostLine(s))}`);
  out.push(`- **verdict:** ${verdictLine(r)}`);
  for (const t of r.targets) out.push(`- **${t.role}:** ${mdCode(t.address)} — ${mdCell(t.role === 'companion' ? `companion of ${t.companionOf}` : t.reasons.join('; '))}`);
  out.push('');
  out.push('| layer | failing | warning | not checked |');
  out.push('|---|---|---|---|');
  for (const layer of LAYERS) {
    const fs = r.findings.filter((f) => f.layer === layer);
    const n = (sev: string) => fs.filter((f) => f.severity === sev).length || '';
    out.push(`| ${layer} | ${n('fail')} | ${n('warn')} | ${r.unchecked.filter((u) => u.layer === layer).length || ''} |`);
  }
  out.push('');
  const decisive = r.findings.filter((f) => f.id === r.verdict.findingId && f.subject === r.verdict.subject);
  const ordered = [...decisive, ...r.findings.filter((f) => !decisive.includes(f))];
  if (ordered.length > 0) {
    out.push('#### findings');
    out.push('');
    for (const f of ordered) out.push(...findingMarkdown(f));
    out.push('');
  }
  if (r.unchecked.length > 0) {
    out.push('#### could not check');
    out.push('');
    for (const u of r.unchecked) out.push(`- \`${u.id}\`${u.subject ? ` (${mdCode(u.subject)})` : ''}: ${mdCell(u.reason)}${u.settle ? ` — to settle it: ${mdCode(u.settle)}` : ''}`);
    out.push('');
  }
  return out.join('\n');
}
