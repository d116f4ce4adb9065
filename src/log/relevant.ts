// Streams a kernel log and keeps only the lines a passthrough diagnosis needs.
//
// Cost model: every byte goes through the anchor scanner (skips most of them) and every line end through
// one indexOf; only lines holding an anchor are decoded to a string. Memory is the read window, the
// kept lines (at most maxLines, each at most maxLineBytes) and nothing else.

import { isUtf8 } from 'node:buffer';
import type { KernelLogLine, KernelLogOrigin, KernelLogSection } from '../snapshot/types.js';
import { ANCHORS, type Anchor } from './anchors.js';
import { AnchorScanner } from './anchor-scan.js';
import { ruleOfLine } from './events/engine.js';
import { KeepWindow } from './keep-window.js';
import {
  DEFAULT_MAX_LINE_BYTES,
  hasBinary,
  type BlockVisitor,
  type LineInput,
  type LineReaderOptions,
  utf8Boundary,
  visitBlocks,
} from './line-reader.js';
import { headerLength, jsonLineAsText, parseJsonLine, parsePrefix } from './prefix.js';
import { sanitizeText } from './sanitize.js';

export const DEFAULT_MAX_LINES = 20_000;

export interface ScanOptions extends LineReaderOptions {
  /** Relevant lines kept; beyond it the first and the last half are kept. Default 20,000. */
  maxLines?: number;
}

export interface ScanStats {
  totalLines: number;
  totalBytes: number;
  /** Lines holding an anchor (the first, literal-only stage: what `grep -F` with the anchors finds). */
  candidateLines: number;
  relevantLines: number;
  keptLines: number;
  droppedLines: number;
  truncatedLines: number;
  binaryLines: number;
}

export interface ScanResult {
  lines: KernelLogLine[];
  stats: ScanStats;
}

let sharedScanner: AnchorScanner | null = null;

/** The scanner over the built-in anchors (built once: its tables take a few milliseconds). */
export function anchorScanner(): AnchorScanner {
  sharedScanner ??= new AnchorScanner(ANCHORS);
  return sharedScanner;
}

/** Whether one line of text is relevant, by the same rules the streaming scan applies. */
export function isRelevantLine(line: string): boolean {
  const buf = Buffer.from(line, 'utf8');
  const collector = new RelevantCollector(anchorScanner(), 1, DEFAULT_MAX_LINE_BYTES);
  collector.lines(buf, 0, buf.length);
  return collector.window.seen > 0;
}

/** Scans a whole input: the relevant lines (first/last half when too many) and the counts. */
export async function scanKernelLog(input: LineInput, opts: ScanOptions = {}): Promise<ScanResult> {
  const maxLineBytes = Math.max(64, opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  const collector = new RelevantCollector(anchorScanner(), opts.maxLines ?? DEFAULT_MAX_LINES, maxLineBytes);
  const { bytes } = await visitBlocks(input, collector, { ...opts, maxLineBytes });
  const lines = collector.window.items();
  return {
    lines,
    stats: {
      totalLines: collector.totalLines,
      totalBytes: bytes,
      candidateLines: collector.candidateLines,
      relevantLines: collector.window.seen,
      keptLines: lines.length,
      droppedLines: collector.window.dropped,
      truncatedLines: collector.truncatedLines,
      binaryLines: collector.binaryLines,
    },
  };
}

/**
 * Reads a kernel log (a file path, an opened file or a stream: dmesg, journalctl -k, /var/log/kern.log …) and returns
 * the snapshot section with the relevant lines.
 */
export async function collectKernelLog(
  input: LineInput,
  origin: KernelLogOrigin,
  from: string,
  opts: { maxLines?: number } = {},
): Promise<KernelLogSection> {
  return sectionFromScan(await scanKernelLog(input, opts), origin, from);
}

/** A scan's kept lines and counts as the snapshot's kernel-log section. */
export function sectionFromScan(result: ScanResult, origin: KernelLogOrigin, from: string): KernelLogSection {
  const { lines, stats } = result;
  return {
    origin,
    from,
    lines,
    totalLines: stats.totalLines,
    totalBytes: stats.totalBytes,
    relevantLines: stats.relevantLines,
    droppedLines: stats.droppedLines,
    truncatedLines: stats.truncatedLines,
    binaryLines: stats.binaryLines,
  };
}

class RelevantCollector implements BlockVisitor {
  readonly window: KeepWindow<KernelLogLine>;
  totalLines = 0;
  candidateLines = 0;
  truncatedLines = 0;
  binaryLines = 0;
  private readonly hits: number[] = [];

  constructor(
    private readonly scanner: AnchorScanner,
    maxLines: number,
    private readonly max: number,
  ) {
    this.window = new KeepWindow<KernelLogLine>(maxLines);
  }

  lines(buf: Buffer, start: number, end: number): void {
    const hits = this.hits;
    hits.length = 0;
    this.scanner.findLines(buf, start, end, this.max, hits);
    const view = buf.subarray(start, end);
    // Whole-block screening: only a block with a NUL or bad UTF-8 pays for a per-line check.
    const dirty = view.indexOf(0) >= 0 || !isUtf8(view);
    let next = hits.length > 0 ? (hits[0] as number) : -1;
    let hi = 0;
    let n = this.totalLines;
    let p = start;
    const max = this.max;
    while (p < end) {
      let nl = buf.indexOf(10, p);
      if (nl < 0 || nl >= end) nl = end;
      n++;
      let le = nl;
      if (le > p && buf[le - 1] === 13) le--;
      if (le - p > max) this.truncatedLines++;
      if (dirty && hasBinary(buf, p, le, false)) this.binaryLines++;
      if (p === next) {
        this.candidate(buf, p, le, hits[hi + 1] as number, n);
        hi += 2;
        next = hi < hits.length ? (hits[hi] as number) : -1;
      }
      p = nl + 1;
    }
    this.totalLines = n;
  }

  longLine(head: Buffer, _length: number, binary: boolean): void {
    const n = ++this.totalLines;
    this.truncatedLines++;
    if (binary) this.binaryLines++;
    const hits: number[] = [];
    this.scanner.findLines(head, 0, head.length, this.max, hits);
    if (hits.length > 0) this.candidate(head, 0, head.length, hits[1] as number, n);
  }

  private candidate(buf: Buffer, ls: number, le: number, anchor: number, n: number): void {
    this.candidateLines++;
    const cut = le - ls > this.max ? utf8Boundary(buf, ls, ls + this.max) : le;
    const first = buf[ls] as number;
    if (first === 0x7b) {
      this.jsonCandidate(buf, ls, cut, n);
      return;
    }
    let relevant: boolean;
    // A letter or digit may start a syslog/journal header whose host name could hold an anchor; so may
    // "[" (journalctl -o short-monotonic), but a plain dmesg stamp is ruled out without a string.
    const mayHaveHeader = (first >= 65 && first <= 90) || (first >= 48 && first <= 57) || (first === 91 && monotonicHeaderShape(buf, ls, cut));
    const header = mayHaveHeader ? headerLength(buf.toString('latin1', ls, Math.min(cut, ls + 256))) : 0;
    if (header > 0) relevant = this.classify(buf, ls + header, cut);
    else relevant = (ANCHORS[anchor] as Anchor).rules === undefined || this.classify(buf, ls, cut);
    if (relevant) this.window.add({ n, text: sanitizeText(buf.toString('utf8', ls, cut)) });
  }

  // journalctl -o json: only the MESSAGE field counts, and the line is stored the way dmesg shows it.
  private jsonCandidate(buf: Buffer, ls: number, cut: number, n: number): void {
    const raw = buf.toString('utf8', ls, cut);
    const j = parseJsonLine(raw);
    if (!j) {
      if (this.classify(buf, ls, cut)) this.window.add({ n, text: sanitizeText(raw) });
      return;
    }
    const msg = Buffer.from(j.message, 'utf8');
    if (this.classify(msg, 0, msg.length)) this.window.add({ n, text: sanitizeText(jsonLineAsText(raw) ?? j.message) });
  }

  // Relevant when some anchor in the range is strong, or gated and one of its rules decodes the line.
  // Only whether a rule decodes it matters here, so no event is built (its fields and meaning were
  // garbage on every gated candidate, kept or not).
  private classify(buf: Buffer, start: number, end: number): boolean {
    let text: string | null = null;
    return this.scanner.someHit(buf, start, end, (idx) => {
      const rules = (ANCHORS[idx] as Anchor).rules;
      if (rules === undefined) return true;
      text ??= buf.toString('utf8', start, end);
      return ruleOfLine(rules, parsePrefix(text)) !== null;
    });
  }
}

/**
 * Whether a line starting with "[" could be "[ stamp] host ident: …" (journalctl -o short-monotonic):
 * after "] " come two words, the second ending in ":" — unlike "[ stamp] DMAR: …" or "[ stamp] pci …".
 * Checked on the bytes, so ordinary dmesg lines cost no string.
 */
function monotonicHeaderShape(buf: Buffer, ls: number, end: number): boolean {
  const limit = Math.min(end, ls + 160);
  let i = ls + 1;
  while (i < limit && buf[i] !== 93) i++;
  if (i + 1 >= limit || buf[i + 1] !== 32) return false;
  i += 2;
  while (i < limit && buf[i] !== 32 && buf[i] !== 58) i++;
  if (i >= limit || buf[i] !== 32) return false;
  i++;
  while (i < limit && buf[i] !== 32 && buf[i] !== 58) i++;
  return i + 1 < limit && buf[i] === 58 && buf[i + 1] === 32;
}
