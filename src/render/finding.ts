// How one finding is printed, in each output format, by every command: check and analyze findings,
// preflight findings and diff changes go through these three functions, so a finding reads the same
// wherever it appears.
import type { ChangedValue, Evidence, Finding, Severity } from '../analyze/finding.js';
import type { Layer } from '../analyze/layers.js';
import type { Change, ChangeKind } from '../diff/types.js';
import type { Style } from './style.js';
import { HANG, unbroken } from './wrap.js';

export type AnyFinding = Finding | Change;

function isChange(f: AnyFinding): f is Change {
  return 'kind' in f;
}

function isChangedValue(e: Evidence | ChangedValue): e is ChangedValue {
  return 'what' in e;
}

/** "what: before → after", "(none)" for a side without the value. */
export function beforeAfter(e: ChangedValue): string {
  if (e.before === null && e.after === null) return e.what;
  return `${e.what}: ${e.before ?? '(none)'} → ${e.after ?? '(none)'}`;
}

function label(f: AnyFinding, st: Style): string {
  if (isChange(f)) {
    if (f.kind === 'regression') return st.red('REGRESSION ');
    if (f.kind === 'improvement') return st.green('IMPROVEMENT');
    return st.dim('neutral    ');
  }
  if (f.severity === 'fail') return st.red('FAIL');
  if (f.severity === 'warn') return st.yellow('WARN');
  return st.dim('INFO');
}

function evidenceText(e: Evidence | ChangedValue, st: Style): string {
  if (isChangedValue(e)) return `${beforeAfter(e)}${e.source ? st.dim(`  [${e.source}]`) : ''}`;
  return `${e.source}${e.line !== undefined ? `:${e.line}` : ''}: ${e.text}`;
}

/**
 * The text block of one finding: label and title, where it belongs, trust, evidence, decision, commands.
 * Continuation lines hang under the text they continue; a command is never broken, since users copy it.
 */
export function findingText(f: AnyFinding, st: Style, indent = ''): string[] {
  const pad = `${indent}${' '.repeat(isChange(f) ? 12 : 5)}`;
  const emphasise = !isChange(f) || f.kind === 'regression';
  const lines = [`${indent}${label(f, st)} ${HANG}${emphasise ? st.bold(f.title) : f.title}`];
  lines.push(`${pad}${HANG}${st.dim(`${f.layer} / ${f.cause ?? 'no cause'} (${f.id})${f.subject ? ` — ${f.subject}` : ''}`)}`);
  if (!f.trusted && f.untrustedUntil) lines.push(`${pad}${HANG}${st.yellow(`not trusted until the ${f.untrustedUntil} layer is fixed`)}`);
  for (const e of f.evidence as (Evidence | ChangedValue)[]) lines.push(`${pad}${st.dim('│')} ${HANG}${evidenceText(e, st)}`);
  if (f.decision) lines.push(`${pad}${HANG}${f.decision}`);
  // A comment is never broken either: its continuation, pasted with the block, would run as a command.
  for (const c of f.commands) lines.push(`${pad}  ${c.startsWith('#') ? st.dim(unbroken(c)) : st.cyan(unbroken(`$ ${c}`))}`);
  return lines;
}

/** One finding in every JSON output (schema/report.schema.json#/$defs/Finding and its copies). */
export interface FindingJson {
  id: string;
  layer: Layer;
  /** Only in diff output. */
  kind?: ChangeKind;
  cause: string | null;
  severity: Severity;
  subject: string | null;
  title: string;
  evidence: (Evidence | ChangedValue)[];
  decision: string;
  commands: string[];
  trusted: boolean;
  untrustedUntil: Layer | null;
}

/** The JSON of one finding: the same keys, in the same order, for every command (a diff change adds `kind`). */
export function findingJson(f: AnyFinding): FindingJson {
  return {
    id: f.id,
    layer: f.layer,
    ...(isChange(f) ? { kind: f.kind } : {}),
    cause: f.cause,
    severity: f.severity,
    subject: f.subject,
    title: f.title,
    evidence: f.evidence,
    decision: f.decision,
    commands: f.commands,
    trusted: f.trusted,
    untrustedUntil: f.untrustedUntil,
  };
}

/** A code span that survives backticks and table pipes in host paths and log lines. */
export function mdCode(s: string | null): string {
  if (s === null) return '—';
  const fence = s.includes('`') ? '``' : '`';
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s.replace(/\|/g, '\\|').replace(/\n/g, ' ')}${pad}${fence}`;
}

/** Text for a Markdown line or table cell. */
export function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

const MD_LABEL = { regression: '**regression**', improvement: 'improvement', neutral: 'neutral', fail: '**FAIL**', warn: '**WARN**', info: 'info' } as const;

export function findingMarkdownLabel(f: AnyFinding): string {
  return MD_LABEL[isChange(f) ? f.kind : f.severity];
}

/** One finding as a Markdown list item with its evidence, decision and commands nested under it. */
export function findingMarkdown(f: AnyFinding): string[] {
  const out = [`- ${findingMarkdownLabel(f)}: ${mdCell(f.title)} (\`${f.id}\`${f.cause ? `, cause \`${f.cause}\`` : ''}${f.subject ? `, ${mdCode(f.subject)}` : ''})`];
  if (!f.trusted && f.untrustedUntil) out.push(`  - not trusted until the ${f.untrustedUntil} layer is fixed`);
  for (const e of f.evidence as (Evidence | ChangedValue)[]) {
    if (!isChangedValue(e)) out.push(`  - ${mdCode(`${e.source}${e.line !== undefined ? `:${e.line}` : ''}`)}: ${mdCode(e.text)}`);
    else if (e.before === null && e.after === null) out.push(`  - ${mdCell(e.what)}`);
    else out.push(`  - ${mdCell(e.what)}: ${mdCode(e.before)} → ${mdCode(e.after)}${e.source ? ` (${mdCell(e.source)})` : ''}`);
  }
  if (f.decision) out.push(`  - ${mdCell(f.decision)}`);
  for (const c of f.commands) out.push(`    - ${mdCode(c)}`);
  return out;
}
