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

/** Where the bytes of one input come from: a buffer, or any source of blocks that can be read twice. */
export interface ByteBlocks {
  /** The input's blocks in order; the caller may be done with a block as soon as it asks for the next. */
  blocks(): Iterable<Buffer>;
}

const HEAD_BYTES = 64 * 1024;

/**
 * Calls `segment` for runs of whole lines, each ended by a newline (the last run may lack it), cut from
 * the blocks: a line that spans two blocks is joined first. A newline never sits inside a UTF-8 sequence,
 * so each run can be checked and decoded on its own.
 */
function eachRun(blocks: Iterable<Buffer>, segment: (buf: Buffer, start: number, end: number) => void): void {
  let carry: Buffer[] = [];
  for (const block of blocks) {
    if (block.length === 0) continue;
    let p = 0;
    if (carry.length > 0) {
      const nl = block.indexOf(10);
      if (nl < 0) {
        carry.push(Buffer.from(block));
        continue;
      }
      carry.push(block.subarray(0, nl + 1));
      const joined = Buffer.concat(carry);
      carry = [];
      segment(joined, 0, joined.length);
      p = nl + 1;
    }
    const last = block.lastIndexOf(10);
    if (last >= p) {
      segment(block, p, last + 1);
      p = last + 1;
    }
    // A copy: the block's memory may be reused for the next one.
    if (p < block.length) carry.push(Buffer.from(block.subarray(p)));
  }
  if (carry.length > 0) {
    const joined = Buffer.concat(carry);
    segment(joined, 0, joined.length);
  }
}

/**
 * The lines of one input, numbered and clean, handed to `line` one at a time as the blocks are read
 * (twice: once to see whether the whole input is UTF-8, which decides how every line is decoded). Throws
 * PasteInputError for empty or binary input, as inputLines does.
 */
export function eachInputLine(input: ByteBlocks, file: string, line: (l: InputLine) => void): void {
  // First pass: the size, the first 64 KiB (does it look binary?) and whether it is all UTF-8.
  let total = 0;
  let utf8 = true;
  const head: Buffer[] = [];
  let headBytes = 0;
  eachRun(input.blocks(), (buf, start, end) => {
    if (headBytes < HEAD_BYTES) {
      const part = buf.subarray(start, Math.min(end, start + HEAD_BYTES - headBytes));
      head.push(Buffer.from(part));
      headBytes += part.length;
    }
    total += end - start;
    if (utf8 && !isUtf8(buf.subarray(start, end))) utf8 = false;
  });
  if (total === 0) throw new PasteInputError(`${file}: empty input, nothing to analyse`);
  const binary = looksBinary(Buffer.concat(head, headBytes));
  head.length = 0;
  // Input that is not UTF-8 decodes with replacement characters, which are not blank.
  let blank = utf8;
  const isBinary = (): PasteInputError => new PasteInputError(`${file}: binary data, not command output (expected text such as lspci, dmesg or a log)`);
  if (binary && !blank) throw isBinary();
  // Binary but UTF-8: blank input says it is empty first; nothing is handed on either way.
  if (binary) line = () => {};
  const encoding = utf8 ? 'utf8' : 'latin1';
  const lines: InputLine[] = [];
  let n = 0;
  let read = 0;
  eachRun(input.blocks(), (buf, start, end) => {
    // Never more than the first pass saw: a file that grows meanwhile is read as it was.
    if (read >= total) return;
    if (end - start > total - read) end = start + (total - read);
    read += end - start;
    let p = start;
    while (p < end) {
      let nl = buf.indexOf(10, p);
      if (nl < 0 || nl >= end) nl = end;
      const raw = buf.toString(encoding, p, nl);
      if (blank && raw.trim() !== '') blank = false;
      const l = { file, n: ++n, text: cleanLineText(raw) };
      // Held back while the input may still turn out blank (empty input must say so, not be analysed).
      if (blank) lines.push(l);
      else {
        for (const b of lines) line(b);
        lines.length = 0;
        line(l);
      }
      p = nl + 1;
    }
  });
  if (blank) throw new PasteInputError(`${file}: empty input, nothing to analyse`);
  if (binary) throw isBinary();
}

/** Splits one input into numbered clean lines; throws PasteInputError for empty or binary input. */
export function inputLines(bytes: Buffer, file: string): InputLine[] {
  const out: InputLine[] = [];
  eachInputLine({ blocks: () => [bytes] }, file, (l) => out.push(l));
  return out;
}
