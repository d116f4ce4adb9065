// The messages of two boots' kernel logs that fall in a diff class: what the kernel-log comparison
// works on. Lines that cannot be of a class are passed over unparsed; the others are parsed once per text
// after the dmesg stamp (two boots print mostly the same messages at other times) and classed once per
// message, for both logs together.

import { diffClassOf, RULES } from '../log/events/index.js';
import { logDiffClass, type LogDiffClass, type LogDiffClassId } from '../log/events/diff-classes.js';
import { parsePrefix, type ParsedLine } from '../log/prefix.js';
import type { KernelLogLine } from '../snapshot/types.js';
import { messageDevice, messageKind, messageOfParsed } from './log-lines.js';

/** A message of one log that falls in a diff class, at its first line in that log. */
export interface LogHit {
  category: LogDiffClass;
  message: string;
  /** messageKind(message): the message with the numbers that vary between occurrences masked. */
  kind: string;
  /** messageDevice(message). */
  device: string | null;
  line: number;
  /** The other log has the same message too. */
  inOther: boolean;
}

/**
 * The messages of each log that fall in a diff class, each once, in order of first occurrence. In each
 * log a message has the class its first line there is decoded to (decodeKnown(…)?.diff): the same
 * message spaced otherwise can decode differently, and each log is judged by how it printed it.
 */
export function logHits(a: readonly KernelLogLine[], b: readonly KernelLogLine[]): { a: LogHit[]; b: LogHit[] } {
  const memo = new LogMessages();
  const orderA = read(a, memo, A);
  const orderB = read(b, memo, B);
  return { a: hits(orderA, memo, A), b: hits(orderB, memo, B) };
}

const A = 0;
const B = 1;
type Side = typeof A | typeof B;

/** One distinct message (prefixes removed, whitespace collapsed) and where each log first has it. */
interface LogMessage {
  message: string;
  /** Per log: the line number of its first occurrence there (null: not there), and that line parsed. */
  line: [number | null, number | null];
  parsed: [ParsedLine | null, ParsedLine | null];
  /** messageKind and messageDevice of it; undefined until asked. */
  kind: string | undefined;
  device: string | null | undefined;
}

/** One log's distinct messages that may have a diff class, in order of first occurrence. */
function read(lines: readonly KernelLogLine[], memo: LogMessages, side: Side): LogMessage[] {
  const order: LogMessage[] = [];
  for (const l of lines) {
    if (!mayHaveDiffClass(l.text)) continue;
    const { message: m, parsed } = memo.of(l.text);
    if (m.line[side] !== null) continue;
    m.line[side] = l.n;
    m.parsed[side] = parsed;
    order.push(m);
  }
  return order;
}

function hits(order: LogMessage[], memo: LogMessages, side: Side): LogHit[] {
  const out: LogHit[] = [];
  for (const m of order) {
    const id = memo.classOf(m.parsed[side] as ParsedLine);
    if (id) out.push({ category: logDiffClass(id), message: m.message, kind: memo.kindOf(m), device: memo.deviceOf(m), line: m.line[side] as number, inOther: m.line[1 - side] !== null });
  }
  return out;
}

/**
 * Length of a leading "[   12.345678]" (dmesg's seconds since boot), 0 when the line does not start with
 * one. Such a stamp is all that two boots' copies of a line differ in, and what follows it is parsed the
 * same whatever the number (test/diff/log-memo.test.ts holds parsePrefix to that on every row's examples).
 */
export function monotonicStampLength(text: string): number {
  if (text.charCodeAt(0) !== 91) return 0;
  let i = 1;
  const n = text.length;
  while (i < n && text.charCodeAt(i) === 32) i++;
  const intStart = i;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  if (i === intStart || text.charCodeAt(i) !== 46) return 0;
  const fracStart = ++i;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  if (i === fracStart || text.charCodeAt(i) !== 93) return 0;
  return i + 1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Whether a line may be of a diff class, read on the raw line before any parsing: most lines of a boot
 * log are not, and parsing their prefixes was most of a comparison. A row decodes only text holding one
 * of its literals (Rule.anchors / gated: "in the message after its prefixes"), and that message is part
 * of the raw line, so a line holding no literal of any row with a diff class has none. The test is on
 * each literal's longest word rather than the literal: messages are compared with whitespace collapsed
 * ("after  FLR" and "after FLR" are one message), and a word survives collapsing, so a line passed over
 * here never shares its message with a line that has a class (which makes skipping it exact: the
 * comparison only looks at messages that have one). The exceptions, tried in full: journal JSON lines
 * (the message is decoded from escapes) and lines with terminal colour codes (removed before parsing).
 */
export function mayHaveDiffClass(text: string): boolean {
  if ((prefilter ??= buildPrefilter()).test(text)) return true;
  // Tested apart: as alternatives of the regular expression they made it four times slower.
  return text.includes('\x1b') || text.trimStart().charCodeAt(0) === 123;
}

let prefilter: RegExp | null = null;

function buildPrefilter(): RegExp {
  const words = new Set<string>();
  for (const rule of RULES) {
    if (rule.diff === null) continue;
    for (const literal of [...rule.anchors, ...(rule.gated ?? [])]) {
      const longest = literal.split(/\s+/).reduce((x, y) => (y.length > x.length ? y : x), '');
      // A literal of whitespace only has no word to look for: then every line is tried.
      if (longest === '') return /(?:)/;
      words.add(longest);
    }
  }
  return new RegExp([...words].map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
}

interface LineEntry {
  message: LogMessage;
  parsed: ParsedLine;
}

class LogMessages {
  /** Line text after its monotonic stamp -> what the line says. */
  private readonly byStamped = new Map<string, LineEntry>();
  /** Whole line text (lines without such a stamp) -> what the line says. */
  private readonly byText = new Map<string, LineEntry>();
  private readonly byMessage = new Map<string, LogMessage>();
  /** parsed.message (before whitespace is collapsed) -> diff class. */
  private readonly classes = new Map<string, LogDiffClassId | null>();

  /** A line parsed, and its message: parsed only when no line with the same text after its stamp came before. */
  of(text: string): LineEntry {
    const stamp = monotonicStampLength(text);
    const key = stamp > 0 ? text.slice(stamp) : text;
    const memo = stamp > 0 ? this.byStamped : this.byText;
    let e = memo.get(key);
    if (e === undefined) {
      const parsed = parsePrefix(text.trim());
      const message = messageOfParsed(parsed);
      let m = this.byMessage.get(message);
      if (m === undefined) {
        m = { message, line: [null, null], parsed: [null, null], kind: undefined, device: undefined };
        this.byMessage.set(message, m);
      }
      e = { message: m, parsed };
      memo.set(key, e);
    }
    return e;
  }

  /** diffClassOf the parsed line (decodeKnown(…)?.diff), which depends on its message only. */
  classOf(parsed: ParsedLine): LogDiffClassId | null {
    let id = this.classes.get(parsed.message);
    if (id === undefined) {
      id = diffClassOf(parsed);
      this.classes.set(parsed.message, id);
    }
    return id;
  }

  kindOf(m: LogMessage): string {
    return (m.kind ??= messageKind(m.message));
  }

  deviceOf(m: LogMessage): string | null {
    if (m.device === undefined) m.device = messageDevice(m.message);
    return m.device;
  }
}
