import fs from 'node:fs';
import { fsErrorText } from '../output/fs-error-text.js';

/** An input that cannot be read as given; the message is one line naming it. */
export class InputReadError extends Error {}

// Files named on the command line (a paste, a snapshot, a log) and standard input. Only a regular file
// is opened as a file: a FIFO, a device such as /dev/zero or a socket would block or never end, so it is
// refused with one line saying how to stream instead. Every read is capped by the bytes actually read,
// never by the size the file claims, and a file is refused as soon as its first block shows it is not
// what was expected, before the rest is read.

/** The largest pasted input, snapshot or standard input read into memory. */
export const MAX_INPUT_BYTES = 256 << 20;

const SNIFF_BYTES = 64 * 1024;

export interface ReadInputOptions {
  maxBytes?: number;
  /** What to say instead of a non-regular file ("pipe it: cat FILE | vfio-doctor analyze -"). */
  streamHint?: string;
  /** Looks at the first block; a message refuses the input before more is read. */
  sniff?: (head: Buffer) => string | null;
}

function mib(n: number): string {
  return `${Math.round(n / (1 << 20))} MiB`;
}

export function tooLarge(shown: string, maxBytes: number): InputReadError {
  return new InputReadError(`${shown}: input larger than ${mib(maxBytes)}, not read`);
}

function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** A descriptor on a regular file (the caller closes it); one-line InputReadError otherwise. */
export function openInputFile(shown: string, file: string, opts: Pick<ReadInputOptions, 'streamHint'> = {}): { fd: number; size: number } {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer before fstat can refuse it.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputReadError(`${shown}: ${code === 'ENOENT' ? 'no such file' : fsErrorText(err)}`);
  }
  let st: fs.Stats;
  try {
    st = fs.fstatSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    throw new InputReadError(`${shown}: ${fsErrorText(err)}`);
  }
  if (st.isFile()) return { fd, size: st.size };
  fs.closeSync(fd);
  if (st.isDirectory()) throw new InputReadError(`${shown}: is a directory`);
  throw new InputReadError(`${shown}: ${kindOf(st)}, not a regular file${opts.streamHint ? ` (${opts.streamHint})` : ''}`);
}

/** The whole of a regular file, at most maxBytes. */
export function readInputFile(shown: string, file: string, opts: ReadInputOptions = {}): Buffer {
  const maxBytes = opts.maxBytes ?? MAX_INPUT_BYTES;
  const { fd, size } = openInputFile(shown, file, opts);
  try {
    if (size > maxBytes) throw tooLarge(shown, maxBytes);
    const chunks: Buffer[] = [];
    let total = 0;
    // Sized by what arrives, not by st.size (which a file being written, or a lying filesystem, makes wrong).
    for (;;) {
      const buf = Buffer.allocUnsafe(total === 0 ? SNIFF_BYTES : Math.min(8 << 20, Math.max(SNIFF_BYTES, total)));
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      if (total === 0 && opts.sniff) {
        const why = opts.sniff(buf.subarray(0, n));
        if (why !== null) throw new InputReadError(`${shown}: ${why}`);
      }
      total += n;
      if (total > maxBytes) throw tooLarge(shown, maxBytes);
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof InputReadError) throw err;
    throw new InputReadError(`${shown}: cannot read: ${fsErrorText(err)}`);
  } finally {
    fs.closeSync(fd);
  }
}

/** A stream (standard input) read to its end, at most maxBytes; stops reading at the cap. */
export async function readStreamCapped(stream: AsyncIterable<Buffer | string>, maxBytes: number, shown = 'standard input'): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const c of stream) {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      total += b.length;
      if (total > maxBytes) throw tooLarge(shown, maxBytes);
      chunks.push(b);
    }
  } catch (err) {
    if (err instanceof InputReadError) throw err;
    throw new InputReadError(`${shown}: cannot read: ${fsErrorText(err)}`);
  }
  return Buffer.concat(chunks, total);
}
