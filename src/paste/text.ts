// Turns the bytes someone pasted into clean lines: line endings, terminal colour codes and a byte-order
// mark removed, and input that is not text at all refused with one clear sentence.
import { isUtf8 } from 'node:buffer';
import type { InputLine } from './types.js';

export class PasteInputError extends Error {}

// CSI sequences (colours, cursor moves) and OSC sequences (window titles, hyperlinks) as terminals and
// `grep --color=always` emit them.
const CSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;
const OSC = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;
const OTHER_CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** Whether the bytes look like text: no NUL, and (when not UTF-8) few control bytes. */
export function looksBinary(bytes: Buffer): boolean {
  const head = bytes.subarray(0, Math.min(bytes.length, 64 * 1024));
  if (head.includes(0)) return true;
  if (isUtf8(head)) return false;
  let odd = 0;
  for (const b of head) if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x1b) || b === 0x7f) odd++;
  // Latin-1 text with a few accented letters is fine; a binary file has control bytes everywhere.
  return odd > head.length / 100;
}

export function cleanLineText(raw: string): string {
  let s = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (s.includes('\x1b')) s = s.replace(OSC, '').replace(CSI, '');
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  // A stray carriage return inside a line is a progress indicator that overwrote itself: keep the end.
  if (s.includes('\r')) s = s.slice(s.lastIndexOf('\r') + 1);
  return s.replace(OTHER_CONTROL, '');
}

/** Splits one input into numbered clean lines; throws PasteInputError for empty or binary input. */
export function inputLines(bytes: Buffer, file: string): InputLine[] {
  // Decoded once: a large paste must not be copied into a second string just to see it is not blank.
  // Input that is not UTF-8 decodes with replacement characters, which are not blank.
  const utf8 = isUtf8(bytes) ? bytes.toString('utf8') : null;
  if (bytes.length === 0 || (utf8 !== null && utf8.trim() === '')) throw new PasteInputError(`${file}: empty input, nothing to analyse`);
  if (looksBinary(bytes)) throw new PasteInputError(`${file}: binary data, not command output (expected text such as lspci, dmesg or a log)`);
  const text = utf8 ?? bytes.toString('latin1');
  const raw = text.split('\n');
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
  return raw.map((t, i) => ({ file, n: i + 1, text: cleanLineText(t) }));
}
