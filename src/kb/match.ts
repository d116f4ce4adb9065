// Matches knowledge-base entries against what is known about a host: decoded log events (and the log
// lines), the kernel release, the command line and the PCI IDs present.

import type { KernelLogLine } from '../snapshot/types.js';
import type { LogEvent } from '../log/events/types.js';
import { builtinKnowledgeBase } from './load.js';
import type { KbEntry, KbLayer, KbSeverity, KbTest } from './types.js';
import { inRange, parseKernelVersion } from './version.js';

export interface KbInput {
  events: readonly LogEvent[];
  /** Log lines to match "log" tests against; the events' own text is used when absent. */
  lines?: readonly KernelLogLine[];
  kernelRelease?: string | null;
  cmdline?: string | null;
  /** vendor:device IDs present ("10de:1e87"). */
  deviceIds?: readonly string[];
}

export interface KbEvidence {
  test: 'log' | 'event' | 'cmdline' | 'release';
  /** Source line number, when the evidence is a log line. */
  line: number | null;
  text: string;
}

export type CheckStatus = 'match' | 'unknown' | 'not-applicable';

export interface KbMatch {
  id: string;
  title: string;
  layer: KbLayer;
  cause: string;
  severity: KbSeverity;
  explanation: string;
  fix: string;
  references: string[];
  file: string;
  evidence: KbEvidence[];
  /** "unknown" when the entry is limited to kernel versions but the release is not known. */
  kernel: { range: string | null; release: string | null; status: CheckStatus };
  devices: { patterns: string[]; matched: string[]; status: CheckStatus };
}

const MAX_EVIDENCE = 3;

/** Entries whose signature holds, in knowledge-base order. */
export function matchKnowledgeBase(input: KbInput, entries: readonly KbEntry[] = builtinKnowledgeBase()): KbMatch[] {
  const ctx = prepare(input);
  const out: KbMatch[] = [];
  for (const e of entries) {
    const m = matchEntry(e, ctx);
    if (m) out.push(m);
  }
  return out;
}

interface Prepared {
  input: KbInput;
  lines: readonly KernelLogLine[];
  version: number[] | null;
  ids: string[];
  /** The events by kind, in log order: an "event" test looks at its kind only, not at every event. */
  byKind: Map<string, LogEvent[]>;
}

function prepare(input: KbInput): Prepared {
  const lines = input.lines ?? input.events.map((e) => ({ n: e.line, text: e.raw }));
  const version = input.kernelRelease ? parseKernelVersion(input.kernelRelease) : null;
  const byKind = new Map<string, LogEvent[]>();
  for (const ev of input.events) {
    const list = byKind.get(ev.kind);
    if (list) list.push(ev);
    else byKind.set(ev.kind, [ev]);
  }
  return { input, lines, version, ids: (input.deviceIds ?? []).map((d) => d.toLowerCase()), byKind };
}

function matchEntry(e: KbEntry, ctx: Prepared): KbMatch | null {
  const evidence: KbEvidence[] = [];
  for (const t of e.all) {
    const ev = evaluate(t, ctx);
    if (ev.length === 0) return null;
    evidence.push(...ev);
  }
  if (e.any.length > 0) {
    const found = e.any.flatMap((t) => evaluate(t, ctx));
    if (found.length === 0) return null;
    evidence.push(...found);
  }
  for (const t of e.none) if (evaluate(t, ctx).length > 0) return null;

  let kernelStatus: CheckStatus = 'not-applicable';
  if (e.kernelRange) {
    if (!ctx.version) kernelStatus = 'unknown';
    else if (inRange(ctx.version, e.kernelRange)) kernelStatus = 'match';
    else return null;
  }
  let deviceStatus: CheckStatus = 'not-applicable';
  let matchedIds: string[] = [];
  if (e.devicePatterns) {
    if (ctx.ids.length === 0) deviceStatus = 'unknown';
    else {
      matchedIds = ctx.ids.filter((id) => e.devicePatterns?.some((p) => p.test(id)));
      if (matchedIds.length === 0) return null;
      deviceStatus = 'match';
    }
  }
  return {
    id: e.id,
    title: e.title,
    layer: e.layer,
    cause: e.cause,
    severity: e.severity,
    explanation: e.explanation,
    fix: e.fix,
    references: [...e.references],
    file: e.file,
    evidence: dedupe(evidence).slice(0, MAX_EVIDENCE * Math.max(1, e.all.length + (e.any.length > 0 ? 1 : 0))),
    kernel: { range: e.signature.kernel ?? null, release: ctx.input.kernelRelease ?? null, status: kernelStatus },
    devices: { patterns: e.signature.devices ?? [], matched: [...new Set(matchedIds)], status: deviceStatus },
  };
}

/** Evidence for one test; empty when it does not hold. */
function evaluate(t: KbTest, ctx: Prepared): KbEvidence[] {
  if (t.log) {
    const out: KbEvidence[] = [];
    for (const l of ctx.lines) {
      if (t.log.test(l.text)) out.push({ test: 'log', line: l.n, text: l.text });
      if (out.length >= MAX_EVIDENCE) break;
    }
    return out;
  }
  if (t.event !== undefined) {
    const out: KbEvidence[] = [];
    for (const ev of ctx.byKind.get(t.event) ?? []) {
      if (t.device && !(ev.device !== null && t.device.test(ev.device))) continue;
      if (t.fields && !t.fields.every(([k, re]) => re.test(fieldText(ev.fields[k])))) continue;
      out.push({ test: 'event', line: ev.line, text: ev.raw });
      if (out.length >= MAX_EVIDENCE) break;
    }
    return out;
  }
  if (t.cmdline) {
    const c = ctx.input.cmdline;
    return c && t.cmdline.test(c) ? [{ test: 'cmdline', line: null, text: c }] : [];
  }
  if (t.release) {
    const r = ctx.input.kernelRelease;
    return r && t.release.test(r) ? [{ test: 'release', line: null, text: r }] : [];
  }
  return [];
}

function fieldText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.join(' ');
  return String(v);
}

function dedupe(ev: KbEvidence[]): KbEvidence[] {
  const seen = new Set<string>();
  return ev.filter((e) => {
    const k = `${e.line ?? e.test}:${e.text}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
