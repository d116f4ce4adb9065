// Kernel-log lines from two boots compared as messages: every way of reading the log puts its own
// clock in front (dmesg's seconds since boot, dmesg -T's wall clock, syslog and journal stamps with
// the host name), and that clock differs at every boot while the message does not.

import { parsePrefix, type ParsedLine } from '../log/prefix.js';

/** The message of one log line, without any time, priority or host prefix, whitespace collapsed. */
export function messageOf(line: string): string {
  // The prefixes are the log reader's knowledge (src/log/prefix.ts, every format it reads, stacked).
  return messageOfParsed(parsePrefix(line.trim()));
}

/** messageOf for a line already parsed. */
export function messageOfParsed(parsed: ParsedLine): string {
  const s = parsed.message;
  return /\s\s|[\t\r\n\f\v]/.test(s) ? s.replace(/\s+/g, ' ').trim() : s.trim();
}

/** The message with the numbers that vary between occurrences (addresses, counts, delays) masked. */
export function messageKind(message: string): string {
  // Each pattern is run only on a message holding its words: most hold none of them, and this runs on
  // every message of a diff class in both logs.
  let k = message.includes('0x') ? message.replace(/0x[0-9a-fA-F]+/g, '0x#') : message;
  // Two patterns are run only where a number ends right after one of their words: a DMA fault's "fault
  // addr 0x#" and "reason 0x#" are already masked, and that number does not end there ("0x#").
  if (numberEnds(k, 'fault addr', 1, true) || numberEnds(k, 'address=', 1, true) || numberEnds(k, 'index', 1, true)) k = k.replace(/\b(fault addr|address=|index) ?[0-9a-fA-F]+\b/g, '$1 #');
  if (k.includes(' callbacks suppressed')) k = k.replace(/\b\d+ callbacks suppressed/g, '# callbacks suppressed');
  if (k.includes('ms')) k = k.replace(/\b\d+ ?ms\b/g, '#ms');
  if (numberEnds(k, 'status reg ', 0, false) || numberEnds(k, 'reason ', 0, false)) k = k.replace(/\b(status reg|reason) \d+\b/g, '$1 #');
  return k;
}

/**
 * Whether some occurrence of `word` in `s` is followed by up to `spaces` (0 or 1) space, then a run of
 * hex digits (`hex`) or decimal digits, then the end or a character that is not a word character: what
 * `word ?[0-9a-fA-F]+\b` (spaces 1) or `word\d+\b` (spaces 0) need, the "\b" before the word aside. A run
 * of word characters holds no "\b" inside, so the whole run must end at one: this is exact, not a guess.
 */
export function numberEnds(s: string, word: string, spaces: 0 | 1, hex: boolean): boolean {
  const n = s.length;
  for (let p = s.indexOf(word); p !== -1; p = s.indexOf(word, p + 1)) {
    let i = p + word.length;
    if (spaces === 1 && s.charCodeAt(i) === 32) i++;
    const start = i;
    while (i < n && (hex ? isHexDigit(s.charCodeAt(i)) : isDecimalDigit(s.charCodeAt(i)))) i++;
    if (i > start && (i === n || !isWordChar(s.charCodeAt(i)))) return true;
  }
  return false;
}

function isDecimalDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHexDigit(c: number): boolean {
  return isDecimalDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** A character "\b" counts as part of a word (no u flag): [A-Za-z0-9_]. */
function isWordChar(c: number): boolean {
  return isDecimalDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

const FULL_BDF = /\b([0-9a-fA-F]{4}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])\b/;
const SHORT_BDF = /\[(?:0x)?([0-9a-fA-F]{2}):(?:0x)?([0-9a-fA-F]{2})\.([0-7])\]|device=([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])\b/;

/** The PCI function a message is about, when it names one (DMAR faults print no domain: 0000 is assumed). */
export function messageDevice(message: string): string | null {
  const f = mayHoldFullBdf(message) ? FULL_BDF.exec(message) : null;
  if (f) return `${f[1]!.toLowerCase()}:${f[2]!.toLowerCase()}:${f[3]!.toLowerCase()}.${f[4]}`;
  const s = SHORT_BDF.exec(message);
  if (!s) return null;
  const bus = s[1] ?? s[4]!;
  const dev = s[2] ?? s[5]!;
  const fn = s[3] ?? s[6]!;
  return `0000:${bus.toLowerCase()}:${dev.toLowerCase()}.${fn}`;
}

/**
 * Whether a message has two colons three characters apart ("0000:03:00.0" has), which FULL_BDF needs:
 * most messages of a diff class have none, and the regular expression, unanchored, tried every position.
 */
export function mayHoldFullBdf(message: string): boolean {
  for (let p = message.indexOf(':'); p !== -1; p = message.indexOf(':', p + 1)) if (message.charCodeAt(p + 3) === 58) return true;
  return false;
}
