// Reads a log as lines with memory bounded by a fixed window, whatever the input looks like.
//
// Two layers: LineChunker hands out *blocks* of whole lines (so a fast scanner can work on many lines at
// once without a JS string per line), and readLines() builds a plain line-by-line iterator on top of it.
// A line longer than the window is never held whole: its head is kept, the rest is skipped and counted.

import { createReadStream, read } from 'node:fs';
import { open } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';

/**
 * What a log can be read from: a file path, a descriptor of a regular file already opened (read from its
 * current offset to the end, left open for the caller to close), a Node stream, or bytes in memory.
 */
export type LineInput = string | OpenFile | NodeJS.ReadableStream | Uint8Array;

export interface OpenFile {
  fd: number;
  /**
   * Read by position from this byte offset instead of from the descriptor's offset (which is then left
   * alone, so two threads can read parts of one descriptor at once). Default: the current offset.
   */
  start?: number;
  /** With `start`: stop before this byte offset instead of at the end of the file. */
  end?: number;
}

export interface LineReaderOptions {
  /** Bytes of a line kept and looked at; longer lines are cut and counted as truncated. Default 4096. */
  maxLineBytes?: number;
  /** Size of the read window. Default 256 KiB; never less than 4 × maxLineBytes. */
  chunkBytes?: number;
}

export const DEFAULT_MAX_LINE_BYTES = 4096;
export const DEFAULT_CHUNK_BYTES = 256 * 1024;

/** Receives the input as blocks of whole lines. Buffers passed in are only valid during the call. */
export interface BlockVisitor {
  /**
   * buf[start, end) holds whole lines: every line ends with "\n", except the very last line of an input
   * that does not end with a newline. A line here may be longer than maxLineBytes (up to the window size).
   */
  lines(buf: Buffer, start: number, end: number): void;
  /**
   * A line too long for the window. `head` holds its first bytes (at most maxLineBytes, cut back to a
   * UTF-8 character boundary); `length` is the full length without the newline; `binary` is whether any
   * part of it held a NUL or invalid UTF-8.
   */
  longLine(head: Buffer, length: number, binary: boolean): void;
}

export interface ChunkerStats {
  bytes: number;
}

/**
 * Fixed-window state machine: bytes go in, blocks of whole lines come out.
 *
 * Each window is processed in the buffer it was read into. The unfinished last line (at most
 * maxLineBytes, or it would already be a long line) is carried over: it is copied in front of the next
 * window, which is why a window's new data starts at offset maxLineBytes of its buffer.
 */
export class LineChunker {
  readonly maxLineBytes: number;
  /** Bytes of new data per window. */
  readonly windowBytes: number;
  private readonly carry: Buffer;
  private carryLen = 0;
  private stage: Buffer | null = null;
  private skipping = false;
  private longHead: Buffer = Buffer.alloc(0);
  private longLength = 0;
  private longBinary = false;
  private longLastByte = 0;
  bytes = 0;

  constructor(private readonly visitor: BlockVisitor, opts: LineReaderOptions = {}) {
    this.maxLineBytes = Math.max(64, opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
    this.windowBytes = Math.max(opts.chunkBytes ?? DEFAULT_CHUNK_BYTES, this.maxLineBytes * 4);
    this.carry = Buffer.allocUnsafe(this.maxLineBytes);
  }

  /** A buffer a reader can fill at offset maxLineBytes with up to windowBytes, then pass to feed(). */
  allocWindow(): Buffer {
    return Buffer.allocUnsafe(this.maxLineBytes + this.windowBytes);
  }

  /**
   * Processes `n` new bytes at buf[off, off + n). The `maxLineBytes` bytes before `off` must be free:
   * the carried-over line start is copied there. The buffer is not used after the call returns.
   */
  feed(buf: Buffer, off: number, n: number): void {
    if (n <= 0) return;
    if (off < this.carryLen) throw new RangeError('LineChunker.feed: no room before the new data');
    this.bytes += n;
    const start = off - this.carryLen;
    if (this.carryLen > 0) this.carry.copy(buf, start, 0, this.carryLen);
    this.carryLen = 0;
    this.process(buf, start, off, off + n);
  }

  /** Copies a chunk of any size in (for streams), processing window by window. */
  push(chunk: Uint8Array): void {
    const stage = (this.stage ??= this.allocWindow());
    let pos = 0;
    while (pos < chunk.length) {
      const n = Math.min(this.windowBytes, chunk.length - pos);
      stage.set(chunk.subarray(pos, pos + n), this.maxLineBytes);
      pos += n;
      this.feed(stage, this.maxLineBytes, n);
    }
  }

  /** Flushes the last line (without newline) or the long line being skipped. */
  end(): void {
    if (this.skipping) {
      this.finishLong();
      return;
    }
    if (this.carryLen > 0) {
      const n = this.carryLen;
      this.carryLen = 0;
      this.visitor.lines(this.carry, 0, n);
    }
  }

  // buf[start, end) is the window; the carried part [start, fresh) holds no newline.
  private process(buf: Buffer, start0: number, fresh: number, end: number): void {
    let start = start0;
    if (this.skipping) {
      const nl = indexOfIn(buf, 10, start, end);
      if (nl < 0) {
        this.addLongPart(buf, start, end);
        return;
      }
      this.addLongPart(buf, start, nl);
      this.finishLong();
      start = nl + 1;
    }
    const last = lastIndexOfIn(buf, 10, Math.max(start, fresh), end);
    if (last >= start) {
      this.visitor.lines(buf, start, last + 1);
      start = last + 1;
    }
    const rest = end - start;
    if (rest > this.maxLineBytes) {
      // The unfinished line is already over the limit: keep its head, forget the rest as it streams by.
      // Strictly over: the cut looks at the byte after the head, which must be data already read (the
      // buffer past `end` holds whatever an earlier window left there).
      this.startLong(buf, start, end);
    } else if (rest > 0) {
      buf.copy(this.carry, 0, start, end);
      this.carryLen = rest;
    }
  }

  private startLong(buf: Buffer, start: number, end: number): void {
    const cut = utf8Boundary(buf, start, start + this.maxLineBytes);
    this.longHead = Buffer.from(buf.subarray(start, cut));
    this.longLength = end - start;
    this.longBinary = hasBinary(buf, start, end, true);
    this.longLastByte = buf[end - 1] ?? 0;
    this.skipping = true;
  }

  private addLongPart(buf: Buffer, start: number, end: number): void {
    this.longLength += end - start;
    if (end > start) this.longLastByte = buf[end - 1] ?? 0;
    if (!this.longBinary && hasBinary(buf, start, end, true)) this.longBinary = true;
  }

  private finishLong(): void {
    this.skipping = false;
    const head = this.longHead;
    this.longHead = Buffer.alloc(0);
    const len = this.longLastByte === 13 ? this.longLength - 1 : this.longLength;
    this.visitor.longLine(head, len, this.longBinary);
  }
}

/** Feeds a whole input through a visitor. Resolves with the number of bytes read. */
export async function visitBlocks(input: LineInput, visitor: BlockVisitor, opts: LineReaderOptions = {}): Promise<ChunkerStats> {
  const chunker = new LineChunker(visitor, opts);
  if (typeof input === 'string') {
    await readFileInto(input, chunker);
  } else if (input instanceof Uint8Array) {
    chunker.push(input);
  } else if (isOpenFile(input)) {
    await readFdInto(input.fd, chunker, input.start, input.end);
  } else {
    for await (const chunk of input as AsyncIterable<Uint8Array | string>) {
      chunker.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    }
  }
  chunker.end();
  return { bytes: chunker.bytes };
}

// Reads straight into the chunker's windows instead of through a stream: a stream hands out a fresh
// buffer per chunk, which is then copied again, and the garbage it leaves raises the peak RSS.
async function readFileInto(path: string, chunker: LineChunker): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await readFdInto(fh.fd, chunker);
  } finally {
    await fh.close();
  }
}

// Two windows: while one is scanned, the next read is already under way in libuv's thread pool, so the
// copy out of the page cache overlaps with the scan instead of adding to it.
async function readFdInto(fd: number, chunker: LineChunker, start?: number, end = Infinity): Promise<void> {
  const wins = [chunker.allocWindow(), chunker.allocWindow()] as const;
  const off = chunker.maxLineBytes;
  let cur = 0;
  // null: the descriptor's own offset; a number: where the read under way started (positional reads).
  let position = start ?? null;
  const next = (buf: Buffer): Promise<number> => {
    const n = position === null ? chunker.windowBytes : Math.min(chunker.windowBytes, end - position);
    return n > 0 ? readAt(fd, buf, off, n, position) : Promise.resolve(0);
  };
  let pending = next(wins[0]);
  try {
    for (;;) {
      const bytesRead = await pending;
      if (bytesRead === 0) break;
      const buf = wins[cur] as Buffer;
      cur ^= 1;
      if (position !== null) position += bytesRead;
      pending = next(wins[cur] as Buffer);
      chunker.feed(buf, off, bytesRead);
    }
  } catch (e) {
    // The read ahead must be over before the caller may close the descriptor.
    await pending.catch(() => 0);
    throw e;
  }
}

function readAt(fd: number, buf: Buffer, off: number, n: number, position: number | null): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buf, off, n, position, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead))));
}

function isOpenFile(input: LineInput): input is OpenFile {
  return typeof input === 'object' && input !== null && typeof (input as Partial<OpenFile>).fd === 'number' && !('pipe' in input);
}

/** One line as read: text decoded (invalid UTF-8 replaced), at most maxLineBytes of it. */
export interface ReadLine {
  /** 1-based line number. */
  n: number;
  text: string;
  /** Full length in bytes, without the line end. */
  bytes: number;
  truncated: boolean;
  /** Held a NUL byte or invalid UTF-8. */
  binary: boolean;
}

/**
 * Iterates the lines of an input. Memory stays within the read window plus one window's worth of
 * decoded lines, whatever the input size or line length.
 */
export async function* readLines(input: LineInput, opts: LineReaderOptions = {}): AsyncGenerator<ReadLine> {
  const pending: ReadLine[] = [];
  let n = 0;
  const max = Math.max(64, opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  const chunker = new LineChunker(
    {
      lines(buf, start, end) {
        let p = start;
        while (p < end) {
          let nl = indexOfIn(buf, 10, p, end);
          if (nl < 0) nl = end;
          pending.push(decodeLine(buf, p, nl, ++n, max));
          p = nl + 1;
        }
      },
      longLine(head, length, binary) {
        pending.push({ n: ++n, text: head.toString('utf8'), bytes: length, truncated: true, binary });
      },
    },
    opts,
  );
  const drain = function* (): Generator<ReadLine> {
    for (let i = 0; i < pending.length; i++) yield pending[i] as ReadLine;
    pending.length = 0;
  };
  if (typeof input === 'string' || isOpenFile(input)) {
    const stream = typeof input === 'string' ? createReadStream(input, { highWaterMark: 64 * 1024 }) : createReadStream('', { fd: input.fd, autoClose: false, highWaterMark: 64 * 1024 });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunker.push(chunk);
      yield* drain();
    }
  } else if (input instanceof Uint8Array) {
    // Feed in window-sized slices so the decoded backlog stays bounded for large in-memory inputs too.
    const step = 64 * 1024;
    for (let off = 0; off < input.length; off += step) {
      chunker.push(input.subarray(off, off + step));
      yield* drain();
    }
  } else {
    for await (const chunk of input as AsyncIterable<Uint8Array | string>) {
      chunker.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
      yield* drain();
    }
  }
  chunker.end();
  yield* drain();
}

function decodeLine(buf: Buffer, start: number, end: number, n: number, max: number): ReadLine {
  let e = end;
  if (e > start && buf[e - 1] === 13) e -= 1;
  const length = e - start;
  const truncated = length > max;
  const cut = truncated ? utf8Boundary(buf, start, start + max) : e;
  return { n, text: buf.toString('utf8', start, cut), bytes: length, truncated, binary: hasBinary(buf, start, e, false) };
}

/** indexOf bounded to [from, to): Buffer.indexOf alone would search past the valid data. */
export function indexOfIn(buf: Buffer, byte: number, from: number, to: number): number {
  if (from >= to) return -1;
  const i = buf.indexOf(byte, from);
  return i >= 0 && i < to ? i : -1;
}

export function lastIndexOfIn(buf: Buffer, byte: number, from: number, to: number): number {
  if (from >= to) return -1;
  const i = buf.lastIndexOf(byte, to - 1);
  return i >= from ? i : -1;
}

/**
 * Moves `cut` back so that buf[start, cut) does not end inside a UTF-8 sequence (at most 3 bytes back).
 * Cutting a line in the middle of a character would otherwise turn a clean line into a "binary" one.
 */
export function utf8Boundary(buf: Buffer, start: number, cut: number): number {
  let c = cut;
  for (let k = 0; k < 3 && c > start; k++) {
    const b = buf[c] ?? 0;
    if ((b & 0xc0) !== 0x80) break;
    c--;
  }
  return c;
}

/**
 * Whether buf[start, end) holds a NUL byte or invalid UTF-8. With `partial`, the range may start or end
 * inside a character (a piece of a longer line), so incomplete sequences at its edges are forgiven.
 */
export function hasBinary(buf: Buffer, start: number, end: number, partial: boolean): boolean {
  if (start >= end) return false;
  const view = buf.subarray(start, end);
  if (view.indexOf(0) >= 0) return true;
  if (isUtf8(view)) return false;
  if (!partial) return true;
  let s = 0;
  while (s < 3 && s < view.length && ((view[s] ?? 0) & 0xc0) === 0x80) s++;
  let e = view.length;
  // Drop an unfinished sequence at the end: up to 3 bytes whose lead byte promises more than is there.
  for (let k = 1; k <= 3 && e - k >= s; k++) {
    const b = view[e - k] ?? 0;
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    if (need > k) e -= k;
    break;
  }
  return !isUtf8(view.subarray(s, e));
}
