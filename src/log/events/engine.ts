// Runs a table of rules over one parsed line and builds the event. The tables live in the family
// modules; this file only knows how to apply them.

import { parsePrefix, type ParsedLine } from '../prefix.js';
import type { Fields, LogEvent, Rule, RuleContext } from './types.js';

export interface SourceLine {
  n: number;
  text: string;
}

/** Applies the first rule whose literals and regex match. */
export function applyRules(rules: readonly Rule[], line: SourceLine, parsed: ParsedLine = parsePrefix(line.text)): LogEvent | null {
  return decodeWithRule(rules, line, parsed)?.event ?? null;
}

/** The event and the row of the table that decoded it: what the diff and paste derivation look up. */
export function decodeWithRule(rules: readonly Rule[], line: SourceLine, parsed: ParsedLine = parsePrefix(line.text)): { event: LogEvent; rule: Rule } | null {
  const ctx: RuleContext = { parsed, text: parsed.text };
  const hit = firstMatch(rules, ctx);
  return hit ? { event: buildEvent(hit.rule, hit.m, ctx, line, parsed.monotonic), rule: hit.rule } : null;
}

/**
 * The first rule that decodes the line, without building the event, for callers that need only what the
 * row declares: a row without `when` is tried with RegExp.test (no match array built). `wanted` (one flag
 * a row of `rules`) lets the search stop early: once no later row the line could meet is wanted, null is
 * returned, so a non-null answer is always the first match, and null means the first match (if any) is an
 * unwanted row.
 */
export function ruleOfLine(rules: readonly Rule[], parsed: ParsedLine, wanted?: Uint8Array): Rule | null {
  return firstMatch(rules, { parsed, text: parsed.text }, wanted, false)?.rule ?? null;
}

/** The first rule of `rules` that decodes the line, or null: which row of the table a line belongs to. */
export function ruleFor(rules: readonly Rule[], text: string): Rule | null {
  const parsed = parsePrefix(text);
  return firstMatch(rules, { parsed, text: parsed.text })?.rule ?? null;
}

// A rule is tried (regex, then `when`) only on text holding one of its literals (anchors or gated): most
// lines hold none of a rule's. Rather than test every literal of every row on every line (~176 tests a
// line for the full table), a table of more than a few rows is indexed once (literalIndex): one pass over
// the line finds the literals it holds, and only their rows are tried, in table order. The first match
// wins, exactly as in a walk of the whole table.
function firstMatch(rules: readonly Rule[], ctx: RuleContext, wanted?: Uint8Array): { rule: Rule; m: RegExpExecArray } | null;
function firstMatch(rules: readonly Rule[], ctx: RuleContext, wanted: Uint8Array | undefined, needMatch: false): { rule: Rule; m: RegExpExecArray | null } | null;
function firstMatch(rules: readonly Rule[], ctx: RuleContext, wanted?: Uint8Array, needMatch = true): { rule: Rule; m: RegExpExecArray | null } | null {
  if (rules.length < INDEX_FROM) {
    for (const rule of rules) {
      if (!hasLiteral(ctx.text, rule.anchors) && !(rule.gated !== undefined && hasLiteral(ctx.text, rule.gated))) continue;
      const m = tryRule(rule, ctx);
      if (m) return { rule, m };
    }
    return null;
  }
  const candidates = literalIndex(rules).candidates(ctx.text);
  if (candidates === null) return null;
  let end = candidates.length;
  if (wanted !== undefined) while (end > 0 && wanted[candidates[end - 1] as number] === 0) end--;
  for (let k = 0; k < end; k++) {
    const rule = rules[candidates[k] as number] as Rule;
    if (!needMatch && rule.when === undefined) {
      rule.re.lastIndex = 0;
      if (rule.re.test(ctx.text)) return { rule, m: null };
      continue;
    }
    const m = tryRule(rule, ctx);
    if (m) return { rule, m };
  }
  return null;
}

function tryRule(rule: Rule, ctx: RuleContext): RegExpExecArray | null {
  rule.re.lastIndex = 0;
  const m = rule.re.exec(ctx.text);
  if (!m || (rule.when && !rule.when(m, ctx))) return null;
  return m;
}

function hasLiteral(text: string, literals: readonly string[]): boolean {
  for (const l of literals) if (text.includes(l)) return true;
  return false;
}

/** Tables shorter than this are walked (the prefilter's gated-anchor tables hold one to a few rows). */
const INDEX_FROM = 8;

const indexes = new WeakMap<readonly Rule[], LiteralIndex>();

/** The index of a table, built on first use (nothing at import time) and kept while the table lives. */
function literalIndex(rules: readonly Rule[]): LiteralIndex {
  let ix = indexes.get(rules);
  if (ix === undefined) {
    ix = new LiteralIndex(rules);
    indexes.set(rules, ix);
  }
  return ix;
}

/**
 * Every distinct literal of a table, bucketed by its first two characters, with the rows that declare it.
 * candidates(text) reads each pair of adjacent characters of the text once (one typed-array read a
 * position; a non-ASCII character is folded into 0..127, which can only add a bucket to look at), and
 * compares only the literals of that pair's bucket whose third and fourth characters match. A literal
 * shorter than 2 characters or not ASCII at the start is tested with includes().
 *
 * Common pairs ("de", "in", "Re") start a literal's bucket far more often than a literal: where a pair's
 * bucket holds only literals of four characters or more, the first four characters of the text there are
 * looked up in a second bit set (a hash of the four, folded as above) before the bucket is walked.
 */
class LiteralIndex {
  /**
   * Bit (c0 << 7 | c1) set: some literal starts with those two characters. 2 KB, read at every position
   * of the text, so it stays in the first-level cache; the bucket table is read only where a bit is set.
   */
  private readonly pairs = new Uint32Array((1 << 14) >>> 5);
  /** (c0 << 7 | c1) → bucket number, -1: no literal starts with those two characters. */
  private readonly table = new Int32Array(1 << 14).fill(-1);
  /** Bit (c0 << 7 | c1) set: that pair's bucket holds a literal shorter than four characters (no quad test). */
  private readonly shortPairs = new Uint32Array((1 << 14) >>> 5);
  /** Bit quadHash(first four characters) set for every bucketed literal of four characters or more. 8 KB. */
  private readonly quads = new Uint32Array((1 << 16) >>> 5);
  /** Bucket b holds the literal ids bucketIds[bucketStart[b] .. bucketStart[b + 1]). */
  private readonly bucketStart: Int32Array;
  private readonly bucketIds: Int32Array;
  private readonly literals: string[] = [];
  /** A literal's third and fourth characters (-1: it has none), checked before startsWith. */
  private readonly third: Int32Array;
  private readonly fourth: Int32Array;
  /** Literal → the rows that declare it. */
  private readonly owners: number[][] = [];
  private readonly unbucketed: number[] = [];
  /** Per literal and per row: the call (stamp) that last found them, so nothing is cleared between lines. */
  private readonly seenLiteral: Uint32Array;
  private readonly seenRule: Uint32Array;
  private stamp = 0;
  private lo = 0;
  private hi = -1;

  constructor(rules: readonly Rule[]) {
    const ids = new Map<string, number>();
    const buckets = new Map<number, number[]>();
    rules.forEach((rule, r) => {
      for (const lit of [...rule.anchors, ...(rule.gated ?? [])]) {
        let id = ids.get(lit);
        if (id === undefined) {
          id = this.literals.length;
          ids.set(lit, id);
          this.literals.push(lit);
          this.owners.push([]);
          const c0 = lit.charCodeAt(0);
          const c1 = lit.charCodeAt(1);
          if (lit.length >= 2 && c0 < 128 && c1 < 128) {
            const key = (c0 << 7) | c1;
            if (lit.length < 4) setBit(this.shortPairs, key);
            else setBit(this.quads, quadHash(key, lit.charCodeAt(2) & 127, lit.charCodeAt(3) & 127));
            const list = buckets.get(key);
            if (list) list.push(id);
            else buckets.set(key, [id]);
          } else {
            this.unbucketed.push(id);
          }
        }
        const own = this.owners[id] as number[];
        if (own[own.length - 1] !== r) own.push(r);
      }
    });
    const starts: number[] = [];
    const flat: number[] = [];
    for (const [key, list] of buckets) {
      this.table[key] = starts.length;
      this.pairs[key >>> 5] = (this.pairs[key >>> 5] as number) | (1 << (key & 31));
      starts.push(flat.length);
      flat.push(...list);
    }
    starts.push(flat.length);
    this.bucketStart = Int32Array.from(starts);
    this.bucketIds = Int32Array.from(flat);
    this.third = Int32Array.from(this.literals, (l) => (l.length > 2 ? l.charCodeAt(2) : -1));
    this.fourth = Int32Array.from(this.literals, (l) => (l.length > 3 ? l.charCodeAt(3) : -1));
    this.seenLiteral = new Uint32Array(this.literals.length);
    this.seenRule = new Uint32Array(rules.length);
  }

  /** The rows (ascending) one of whose literals the text holds; null when none. */
  candidates(text: string): number[] | null {
    if (this.stamp === 0xffffffff) {
      this.seenLiteral.fill(0);
      this.seenRule.fill(0);
      this.stamp = 0;
    }
    const stamp = ++this.stamp;
    const { pairs, shortPairs, quads, table, bucketStart, bucketIds, third, fourth, seenLiteral, literals } = this;
    this.lo = this.seenRule.length;
    this.hi = -1;
    const n = text.length;
    let prev = text.charCodeAt(0) & 127;
    for (let i = 1; i < n; i++) {
      const cur = text.charCodeAt(i) & 127;
      const key = (prev << 7) | cur;
      prev = cur;
      if (((pairs[key >>> 5] as number) & (1 << (key & 31))) === 0) continue;
      const at = i - 1;
      if (((shortPairs[key >>> 5] as number) & (1 << (key & 31))) === 0) {
        // Only literals of four characters or more here: none starts at `at` unless its quad bit is set.
        if (at + 3 >= n) continue;
        const q = quadHash(key, text.charCodeAt(at + 2) & 127, text.charCodeAt(at + 3) & 127);
        if (((quads[q >>> 5] as number) & (1 << (q & 31))) === 0) continue;
      }
      const b = table[key] as number;
      for (let k = bucketStart[b] as number, end = bucketStart[b + 1] as number; k < end; k++) {
        const id = bucketIds[k] as number;
        const c2 = third[id] as number;
        if (c2 >= 0 && text.charCodeAt(at + 2) !== c2) continue;
        const c3 = fourth[id] as number;
        if (c3 >= 0 && text.charCodeAt(at + 3) !== c3) continue;
        if (seenLiteral[id] !== stamp && startsAt(text, literals[id] as string, at)) {
          seenLiteral[id] = stamp;
          this.mark(id, stamp);
        }
      }
    }
    for (const id of this.unbucketed) if (text.includes(literals[id] as string)) this.mark(id, stamp);
    if (this.hi < 0) return null;
    const out: number[] = [];
    const seen = this.seenRule;
    for (let r = this.lo; r <= this.hi; r++) if (seen[r] === stamp) out.push(r);
    return out;
  }

  private mark(id: number, stamp: number): void {
    for (const r of this.owners[id] as number[]) {
      this.seenRule[r] = stamp;
      if (r < this.lo) this.lo = r;
      if (r > this.hi) this.hi = r;
    }
  }
}

/**
 * text.startsWith(literal, at), compared a character at a time: startsWith with a position left the
 * optimised code for every call, and was a quarter of candidates() on a log of DMA faults.
 */
function startsAt(text: string, literal: string, at: number): boolean {
  const m = literal.length;
  if (at + m > text.length) return false;
  for (let j = 0; j < m; j++) if (text.charCodeAt(at + j) !== literal.charCodeAt(j)) return false;
  return true;
}

function setBit(bits: Uint32Array, k: number): void {
  bits[k >>> 5] = (bits[k >>> 5] as number) | (1 << (k & 31));
}

/** 16 bits of four characters folded to 0..127 (the pair's key holds the first two). */
function quadHash(pair: number, c2: number, c3: number): number {
  return Math.imul((pair << 14) | (c2 << 7) | c3, 0x9e3779b1) >>> 16;
}

export function buildEvent(rule: Rule, m: RegExpExecArray, ctx: RuleContext, line: SourceLine, time: number | null): LogEvent {
  const fields: Fields = rule.fields ? rule.fields(m, ctx) : {};
  const device = rule.device ? rule.device(m, ctx, fields) : (ctx.parsed.device?.address ?? null);
  const era = typeof rule.era === 'function' ? rule.era(m, ctx, fields) : (rule.era ?? null);
  const meaning = typeof rule.meaning === 'function' ? rule.meaning(fields, ctx, device) : rule.meaning;
  return {
    kind: rule.kind,
    family: rule.family,
    severity: rule.severityOf ? rule.severityOf(fields) : rule.severity,
    device,
    driver: ctx.parsed.device?.driver ?? null,
    era,
    fields,
    signals: rule.signals ? [...rule.signals] : [],
    meaning,
    line: line.n,
    lines: [line.n],
    raw: line.text,
    time,
  };
}

/**
 * The event `same` decoded from another line with the same message (prefixes other than the device
 * removed), placed at `line`: everything a rule derives depends on the message alone (RuleContext), so
 * only the line number, the raw text and the time differ. The fields object is shared with `same`.
 */
export function eventAt(same: LogEvent, line: SourceLine, time: number | null): LogEvent {
  return {
    kind: same.kind,
    family: same.family,
    severity: same.severity,
    device: same.device,
    driver: same.driver,
    era: same.era,
    fields: same.fields,
    signals: [...same.signals],
    meaning: same.meaning,
    line: line.n,
    lines: [line.n],
    raw: line.text,
    time,
  };
}

/** "the device 0000:01:00.0" or "a device", for meanings. */
export function who(device: string | null): string {
  return device ? `device ${device}` : 'a device';
}

