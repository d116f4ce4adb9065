import type { InterruptsInfo } from '../snapshot/types.js';

// /proc/interrupts rows for numbered IRQs: "  24:  0  0  IR-PCI-MSI-0000:00:14.0  0-edge  xhci_hcd".
// The chip name is the first column after the per-CPU counters.
export function parseInterrupts(text: string): InterruptsInfo {
  // A large host's file is ~600 KB (64 CPU columns on each of hundreds of rows): splitting every row into
  // words cost more than reading it. Plain ASCII text is read by one expression that skips the counters;
  // anything else (a \r, a Unicode space) keeps the word splitting, whose regular expressions decide
  // what such a row means.
  return UNUSUAL.test(text) ? parseInterruptsByWords(text) : parseAsciiInterrupts(text);
}

/** What parseAsciiInterrupts() does not handle as the word splitting would: every character but ASCII
 *  printables, tab and newline (\s also means \v, \f, \r and Unicode spaces; `.` stops at \r). */
const UNUSUAL = /[^\t\n\x20-\x7e]/;

function cpuCount(firstLine: string): number {
  return firstLine.trim().split(/\s+/).filter((w) => /^CPU\d+$/.test(w)).length;
}

function chipsResult(chips: Set<string>): InterruptsInfo {
  const list = [...chips].sort();
  return { chips: list, remapped: list.some((c) => c.startsWith('IR-')) };
}

/** The reference reading: each row split into words. */
export function parseInterruptsByWords(text: string): InterruptsInfo {
  const lines = text.split(/\r?\n/);
  const cpus = cpuCount(lines[0] ?? '');
  const chips = new Set<string>();
  for (const line of lines.slice(1)) {
    const m = /^\s*(\d+):\s+(.*)$/.exec(line);
    if (!m) continue;
    const words = m[2]!.trim().split(/\s+/);
    let i = 0;
    while (i < words.length && i < cpus && /^\d+$/.test(words[i]!)) i++;
    const chip = words[i];
    if (chip && !/^\d+$/.test(chip)) chips.add(chip);
  }
  return chipsResult(chips);
}

/** parseInterruptsByWords() for text of ASCII printables, tabs and newlines only. */
export function parseAsciiInterrupts(text: string): InterruptsInfo {
  const lineEnd = text.indexOf('\n');
  if (lineEnd < 0) return chipsResult(new Set());
  const cpus = cpuCount(text.slice(0, lineEnd));
  // One expression over the whole text, run by the regular expression engine rather than a loop of
  // JavaScript (most of a CLI run's code never gets past the interpreter): a row's IRQ number, up to
  // `cpus` all-digit counters, each a whole word, and then the next word, the chip when it is not all
  // digits. Greedy counters with an optional chip always match at their longest, as the words are taken.
  const row = new RegExp(`^[ \\t]*\\d+:[ \\t]+(?:\\d+(?:[ \\t]+|$)){0,${cpus}}([^ \\t\\n]*)`, 'gm');
  row.lastIndex = lineEnd + 1;
  const chips = new Set<string>();
  for (let m = row.exec(text); m !== null; m = row.exec(text)) {
    const chip = m[1]!;
    if (chip !== '' && !ALL_DIGITS.test(chip)) chips.add(chip);
  }
  return chipsResult(chips);
}

const ALL_DIGITS = /^\d+$/;
