// Decoding entry points: one line, or a sequence of lines (which also joins the messages that old
// kernels split over two lines).

import type { KernelLogLine } from '../../snapshot/types.js';
import { parsePrefix, type ParsedLine } from '../prefix.js';
import { AMD_VI_RULES } from './amd-vi.js';
import { BOOT_RULES } from './boot.js';
import { applyRules, decodeWithRule, eventAt, ruleOfLine } from './engine.js';
import { FALLBACK_RULES } from './fallback.js';
import { FRAMEBUFFER_RULES } from './framebuffer.js';
import { INTEL_DMAR_RULES, joinOldFault } from './intel-dmar.js';
import { IOMMU_CORE_RULES } from './iommu-core.js';
import { IRQ_REMAP_RULES } from './irq-remap.js';
import { MODULE_RULES } from './modules.js';
import { PCI_RULES } from './pci.js';
import { SECURITY_RULES } from './security.js';
import type { LogDiffClassId } from './diff-classes.js';
import type { LineOrigin, LogEvent, Rule } from './types.js';
import { VFIO_RULES } from './vfio.js';

export type { EventFamily, FieldValue, Fields, LineOrigin, LogEvent, Rule, Severity, Signal } from './types.js';

/**
 * The kernel-log knowledge table: every rule, in the order they are tried (the first match wins). The
 * prefilter's anchors (anchors.ts), the diff's log classes, paste derivation and the paste recogniser are
 * all computed from it; see docs/log-formats.md, "How to add a log event".
 */
export const RULES: readonly Rule[] = [
  ...INTEL_DMAR_RULES,
  ...AMD_VI_RULES,
  ...IRQ_REMAP_RULES,
  ...IOMMU_CORE_RULES,
  ...VFIO_RULES,
  ...PCI_RULES,
  ...SECURITY_RULES,
  ...FRAMEBUFFER_RULES,
  ...MODULE_RULES,
  ...BOOT_RULES,
  ...FALLBACK_RULES,
];

/** Decodes one line of any supported log format; null when it is not a line vfio-doctor knows. */
export function decodeLine(text: string, n = 0): LogEvent | null {
  return applyRules(RULES, { n, text }, parsePrefix(text));
}

export interface DecodedLine {
  event: LogEvent;
  /** The diff class a new occurrence of this line falls in (null: not compared between boots). */
  diff: LogDiffClassId | null;
  origin: LineOrigin;
  cause: string | null;
}

/** Decodes a line and says what the table knows about its row. `parsed` saves a second prefix parse. */
export function decodeKnown(text: string, n = 0, parsed: ParsedLine = parsePrefix(text)): DecodedLine | null {
  const hit = decodeWithRule(RULES, { n, text }, parsed);
  if (!hit) return null;
  const { event, rule } = hit;
  return { event, diff: typeof rule.diff === 'function' ? rule.diff(event.fields) : rule.diff, origin: rule.origin ?? 'kernel', cause: rule.cause ?? null };
}

/** Rows whose new occurrences the diff may compare (their `diff` is a class or depends on the fields). */
let diffRows: Uint8Array | null = null;
/** Any literal of those rows: a line holding none is of no diff class (most lines of a boot log). */
let diffLiterals: RegExp | null = null;

/**
 * decodeKnown(text, n, parsed)?.diff, without building the event: the diff needs only the class of each
 * line, and most lines of a boot log belong to rows the diff does not compare.
 */
export function diffClassOf(parsed: ParsedLine): LogDiffClassId | null {
  if (diffRows === null || diffLiterals === null) {
    diffRows = Uint8Array.from(RULES, (r) => (r.diff === null ? 0 : 1));
    const literals = new Set(RULES.filter((r) => r.diff !== null).flatMap((r) => [...r.anchors, ...(r.gated ?? [])]));
    diffLiterals = new RegExp([...literals].map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
  }
  if (!diffLiterals.test(parsed.text)) return null;
  const rule = ruleOfLine(RULES, parsed, diffRows);
  if (rule === null) return null;
  if (typeof rule.diff !== 'function') return rule.diff;
  // A class that depends on the fields: the row's match, as decodeWithRule makes it.
  const ctx = { parsed, text: parsed.text };
  rule.re.lastIndex = 0;
  const m = rule.re.exec(ctx.text) as RegExpExecArray;
  return rule.diff(rule.fields ? rule.fields(m, ctx) : {});
}

/** How far (in source line numbers) the second half of a split message may be from the first. */
const JOIN_WINDOW = 5;

/**
 * Decodes a sequence of lines in order. Messages split over two lines (pre-4.2 VT-d faults, AMD-Vi
 * events of 4.16–5.4, "Device not attached to domain properly") come back as one event each.
 */
export function decodeLines(lines: readonly KernelLogLine[]): LogEvent[] {
  // A flood repeats a few messages thousands of times with only the stamp changed ("vfio-pci …: enabling
  // device" on every VM start): each distinct message is decoded once, its later lines copy the event.
  const seen = new Map<string, LogEvent | null>();
  const decoded = lines.map((l) => {
    const parsed = parsePrefix(l.text);
    const same = seen.get(parsed.message);
    if (same !== undefined) return same === null ? null : eventAt(same, l, parsed.monotonic);
    const e = applyRules(RULES, l, parsed);
    if (e !== null) Object.freeze(e.fields);
    seen.set(parsed.message, e);
    return e;
  });
  const used = new Uint8Array(decoded.length);
  const out: LogEvent[] = [];
  for (let i = 0; i < decoded.length; i++) {
    const e = decoded[i];
    if (!e || used[i]) continue;
    let merged: LogEvent | null = null;
    for (let j = i + 1; j < decoded.length && merged === null; j++) {
      const next = decoded[j];
      if ((lines[j] as KernelLogLine).n - (lines[i] as KernelLogLine).n > JOIN_WINDOW) break;
      if (!next || used[j]) continue;
      merged = join(e, next);
      if (merged) used[j] = 1;
    }
    out.push(merged ?? e);
  }
  return out;
}

function join(first: LogEvent, second: LogEvent): LogEvent | null {
  const dmar = joinOldFault(first, second);
  if (dmar) return dmar;
  if (first.kind === 'amd-vi-event-start' && second.kind === 'amd-vi-event' && second.fields['split'] === true) {
    return { ...second, line: first.line, lines: [...first.lines, ...second.lines], raw: `${first.raw}\n${second.raw}`, era: '4.16-5.4' };
  }
  if (first.kind === 'amd-vi-dev-not-attached' && first.fields['continuation'] !== true && second.kind === 'amd-vi-dev-not-attached' && second.fields['continuation'] === true) {
    return {
      ...second,
      line: first.line,
      lines: [...first.lines, ...second.lines],
      raw: `${first.raw}\n${second.raw}`,
      fields: { domain: second.fields['domain'] ?? null },
    };
  }
  return null;
}
