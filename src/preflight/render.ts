// Text output of preflight: what the next boot will do per target, then the findings, worst first.

import type { Finding } from '../analyze/finding.js';
import type { Style } from '../render/style.js';
import { findingJson, findingMarkdown, findingText, mdCell, mdCode, type FindingJson } from '../render/finding.js';
import { HANG } from '../render/wrap.js';
import { jsonHeader, type JsonHeader } from '../output/json-header.js';
import type { PreflightReport, TargetPrediction } from './types.js';

const OUTCOME: Record<TargetPrediction['outcome'], string> = { works: 'ok', fails: 'FAILS', 'at-risk': 'at risk' };

function paint(s: Style, severity: Finding['severity'] | TargetPrediction['outcome'], text: string): string {
  if (severity === 'fail' || severity === 'fails') return s.red(text);
  if (severity === 'warn' || severity === 'at-risk') return s.yellow(text);
  if (severity === 'works') return s.green(text);
  return s.dim(text);
}

export function renderPreflightText(r: PreflightReport, s: Style): string {
  const out: string[] = [];
  out.push(s.bold(`vfio-doctor preflight: ${r.running ?? 'unknown'} (running) → ${r.kernel} (next boot)`));
  out.push(`  initramfs  ${HANG}${r.initramfs}`);
  out.push(`  cmdline    ${HANG}${r.cmdline.raw || '(empty)'}`);
  out.push(`             ${HANG}${s.dim(`from ${r.cmdline.source}`)}`);
  out.push('');
  if (r.targets.length === 0) out.push('No passthrough targets found (give --device or --ids): only the kernel itself was checked.');
  else {
    out.push('After the reboot:');
    for (const t of r.targets) {
      const owner = t.driver ?? 'no driver';
      out.push(`  ${t.address}  ${HANG}${t.description}${t.role === 'companion' ? ' (companion)' : ''}`);
      out.push(`      → ${HANG}${owner}  ${paint(s, t.outcome, OUTCOME[t.outcome])}  (${t.why})`);
    }
  }
  const order = { fail: 0, warn: 1, info: 2 } as const;
  const findings = [...r.findings].sort((a, b) => order[a.severity] - order[b.severity]);
  if (findings.length > 0) out.push('');
  for (const f of findings) out.push(...findingText(f, s), '');
  if (findings.length === 0) out.push('');
  const verdict =
    r.verdict === 'fail'
      ? s.red(`Verdict: FAIL — passthrough will break when ${r.kernel} boots. Fix the findings above before rebooting.`)
      : r.verdict === 'warn'
        ? s.yellow(`Verdict: warnings — ${r.kernel} should work for passthrough; read the warnings above.`)
        : s.green(`Verdict: pass — nothing found that breaks passthrough on ${r.kernel}.`);
  out.push(verdict);
  return out.join('\n') + '\n';
}

/** The --json shape of preflight (schema/preflight.schema.json): the report, its findings printed as every command prints them. */
export type PreflightJson = JsonHeader<'preflight'> & Omit<PreflightReport, 'findings'> & { findings: FindingJson[] };

/** The --json shape of preflight when there is no other kernel installed to judge. */
export interface PreflightNothingJson extends JsonHeader<'preflight'> {
  running: string | null;
  kernel: null;
  verdict: 'nothing-to-check';
  message: string;
}

export function preflightJson(r: PreflightReport): PreflightJson {
  return { ...jsonHeader('preflight'), ...r, findings: r.findings.map(findingJson) };
}

export function preflightNothingJson(running: string | null, message: string): PreflightNothingJson {
  return { ...jsonHeader('preflight'), running, kernel: null, verdict: 'nothing-to-check', message };
}

/** preflight as Markdown: the next boot per target, then the findings as every command prints them. */
export function renderPreflightMarkdown(r: PreflightReport): string {
  const out: string[] = [];
  out.push(`### vfio-doctor preflight: ${mdCell(r.running ?? 'unknown')} → ${mdCell(r.kernel)}`);
  out.push('');
  out.push(`- **initramfs:** ${mdCode(r.initramfs)}`);
  out.push(`- **cmdline:** ${mdCode(r.cmdline.raw || '(empty)')} (from ${mdCell(r.cmdline.source)})`);
  const verdict = { fail: `❌ passthrough will break when ${r.kernel} boots`, warn: `⚠️ ${r.kernel} should work for passthrough; read the warnings`, pass: `✅ nothing found that breaks passthrough on ${r.kernel}` }[r.verdict];
  out.push(`- **verdict:** ${mdCell(verdict)}`);
  out.push('');
  if (r.targets.length > 0) {
    out.push('| target | after the reboot | outcome | why |');
    out.push('|---|---|---|---|');
    for (const t of r.targets) out.push(`| ${mdCode(t.address)} ${mdCell(t.description)}${t.role === 'companion' ? ' (companion)' : ''} | ${mdCell(t.driver ?? 'no driver')} | ${OUTCOME[t.outcome]} | ${mdCell(t.why)} |`);
    out.push('');
  }
  const order = { fail: 0, warn: 1, info: 2 } as const;
  const findings = [...r.findings].sort((a, b) => order[a.severity] - order[b.severity]);
  if (findings.length > 0) {
    out.push('#### findings');
    out.push('');
    for (const f of findings) out.push(...findingMarkdown(f));
    out.push('');
  }
  return out.join('\n');
}
