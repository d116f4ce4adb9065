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
  if (k.includes('fault addr') || k.includes('address=') || k.includes('index')) k = k.replace(/\b(fault addr|address=|index) ?[0-9a-fA-F]+\b/g, '$1 #');
  if (k.includes(' callbacks suppressed')) k = k.replace(/\b\d+ callbacks suppressed/g, '# callbacks suppressed');
  if (k.includes('ms')) k = k.replace(/\b\d+ ?ms\b/g, '#ms');
  if (k.includes('status reg ') || k.includes('reason ')) k = k.replace(/\b(status reg|reason) \d+\b/g, '$1 #');
  return k;
}

const FULL_BDF = /\b([0-9a-fA-F]{4}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])\b/;
const SHORT_BDF = /\[(?:0x)?([0-9a-fA-F]{2}):(?:0x)?([0-9a-fA-F]{2})\.([0-7])\]|device=([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])\b/;

/** The PCI function a message is about, when it names one (DMAR faults print no domain: 0000 is assumed). */
export function messageDevice(message: string): string | null {
  const f = FULL_BDF.exec(message);
  if (f) return `${f[1]!.toLowerCase()}:${f[2]!.toLowerCase()}:${f[3]!.toLowerCase()}.${f[4]}`;
  const s = SHORT_BDF.exec(message);
  if (!s) return null;
  const bus = s[1] ?? s[4]!;
  const dev = s[2] ?? s[5]!;
  const fn = s[3] ?? s[6]!;
  return `0000:${bus.toLowerCase()}:${dev.toLowerCase()}.${fn}`;
}
