// Walks an initramfs image the way the kernel unpacks it: uncompressed cpio archives (the early-microcode
// part) separated by zero padding, and from the first byte that is neither, one compressed region that
// runs to the end of the file and may itself hold several archives. Every member is handed to a visitor
// as it streams past; nothing but the current header and name is held in memory.

import { closeSync, openSync, readSync, statSync } from 'node:fs';

import { CpioFormatError, CpioStreamParser, type CpioMember, type CpioVisitor } from './cpio-newc.js';
import { describeUnknownMagic, detectCompression, MAGIC_PROBE_BYTES, type CompressedFormat } from './compression.js';
import { Deadline } from './deadline.js';
import { isSingleZstdFrame, SortedOrderTracker } from './early-stop.js';
import { canonicalInitramfsPath } from './member-names.js';
import { openDecompressedStream } from './decompress.js';
import { InitramfsError } from './errors.js';
import type { InitramfsReadOptions, InitramfsSegment } from './types.js';

export const DEFAULT_TIMEOUT_MS = 120_000;

export interface ImageVisitor {
  /** Return true for a regular file to receive its bytes through data() and then memberEnd(). */
  member(member: CpioMember, segment: number): boolean | void;
  data?(member: CpioMember, chunk: Buffer): void;
  memberEnd?(member: CpioMember): void;
  /**
   * The canonical path (exclusive) from which on the caller asks nothing more: a walk of an image proven
   * to be in initramfs-tools' sorted order may stop once a member at or after it streamed past (see
   * early-stop.ts). undefined while the caller does not know yet; null when it needs every member.
   * Polled between chunks of decompressed data.
   */
  stopLimit?(): string | null | undefined;
}

export interface ImageLayout {
  size: number;
  segments: InitramfsSegment[];
  /** false when the walk stopped early, before the end of the compressed region, as stopLimit allowed. */
  complete: boolean;
}

export async function walkInitramfs(
  file: string,
  visitor: ImageVisitor,
  options: InitramfsReadOptions = {},
): Promise<ImageLayout> {
  const size = imageSize(file);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let phase = 'reading the uncompressed cpio archives';
  const deadline = new Deadline(
    timeoutMs,
    () => new InitramfsError('timeout', file, `${file}: gave up after ${timeoutMs} ms while ${phase}`),
  );
  const signal = options.signal;
  const cancel = (): void => deadline.end(new InitramfsError('cancelled', file, `${file}: reading was cancelled while ${phase}`));
  if (signal?.aborted) cancel();
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    const segments: InitramfsSegment[] = [];
    const compressedAt = await walkUncompressedHead(file, visitor, segments, deadline);
    if (compressedAt === null) {
      if (segments.length === 0) {
        throw new InitramfsError('corrupt', file, `${file}: holds only zero bytes, no cpio archive`, 0);
      }
      return { size, segments, complete: true };
    }
    const head = readProbe(file, compressedAt);
    const format = detectCompression(head);
    if (format === null) {
      const after = segments.length > 0 ? ` (after ${segments.length} uncompressed cpio archive(s))` : '';
      throw new InitramfsError(
        'unknown-compression',
        file,
        `${file}: unknown format at offset ${compressedAt}${after}: ${describeUnknownMagic(head)}`,
        compressedAt,
      );
    }
    phase = `decompressing the ${format} data at offset ${compressedAt}`;
    segments.push({ offset: compressedAt, compression: format, entries: 0 });
    const complete = await walkCompressedRegion(file, size, compressedAt, format, visitor, segments, deadline);
    return { size, segments, complete };
  } finally {
    signal?.removeEventListener('abort', cancel);
    deadline.dispose();
  }
}

// The image's size, probe and uncompressed head are read synchronously: each asynchronous call is a trip
// through libuv's thread pool, and on the image worker's fresh thread the head alone took 10-23 ms that
// way before zstd could start, against ~1 ms now.

function imageSize(file: string): number {
  let info;
  try {
    info = statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new InitramfsError('not-found', file, `${file}: no such initramfs image`);
    }
    throw new InitramfsError('unreadable', file, `${file}: cannot read the initramfs image: ${code ?? String(error)}`);
  }
  if (info.isDirectory()) throw new InitramfsError('unreadable', file, `${file}: is a directory, not an initramfs image`);
  if (!info.isFile()) throw new InitramfsError('unreadable', file, `${file}: is not a regular file`);
  if (info.size === 0) {
    throw new InitramfsError('empty', file, `${file}: empty file (0 bytes), not an initramfs image`, 0);
  }
  return info.size;
}

function readProbe(file: string, offset: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw toInitramfsError(file, error, offset);
  }
  try {
    const buffer = Buffer.alloc(MAGIC_PROBE_BYTES);
    const bytesRead = readSync(fd, buffer, 0, buffer.length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    closeSync(fd);
  }
}

function toInitramfsError(file: string, error: unknown, offset: number): unknown {
  if (error instanceof CpioFormatError) return new InitramfsError(error.kind, file, `${file}: ${error.message}`, offset);
  if (error instanceof InitramfsError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string') {
    // stat can succeed where open fails: a non-root user and a root-only image under /boot.
    return new InitramfsError('unreadable', file, `${file}: cannot read the initramfs image: ${code}`);
  }
  return error;
}

/** Counts members per segment and forwards them; archiveStart opens a segment only for uncompressed archives. */
function segmentVisitor(
  visitor: ImageVisitor,
  segments: InitramfsSegment[],
  opensSegments: boolean,
  order: SortedOrderTracker | null = null,
): CpioVisitor {
  return {
    archiveStart(_archive, offset) {
      if (opensSegments) segments.push({ offset, compression: 'none', entries: 0 });
    },
    member(member) {
      const index = segments.length - 1;
      segments[index]!.entries += 1;
      order?.observe(canonicalInitramfsPath(member.name), member.archive);
      return visitor.member(member, index);
    },
    data: visitor.data ? (member, chunk) => visitor.data!(member, chunk) : undefined,
    memberEnd: visitor.memberEnd ? (member) => visitor.memberEnd!(member) : undefined,
  };
}

const HEAD_CHUNK = 1 << 20;
/**
 * The first read is short: most images are compressed from their first byte or after a small microcode
 * archive, and reading a whole megabyte into fresh pages cost ~3.5 ms against ~0.4 ms for 64 KiB.
 */
const HEAD_FIRST_READ = 64 * 1024;
/** Reads of a long uncompressed head between two turns of the event loop, where a deadline or cancel ends it. */
const HEAD_CHUNKS_PER_TURN = 8;

/** Returns the offset where compressed data starts, or null when the file is cpio (and padding) throughout. */
async function walkUncompressedHead(
  file: string,
  visitor: ImageVisitor,
  segments: InitramfsSegment[],
  deadline: Deadline,
): Promise<number | null> {
  const parser = new CpioStreamParser(segmentVisitor(visitor, segments, true), {
    stopAtForeignData: true,
    describeOffset: (offset) => `offset ${offset}`,
  });
  let fd: number | null = null;
  try {
    if (deadline.error) throw deadline.error;
    fd = openSync(file, 'r');
    // Reused for every read: the parser and the visitors copy what they keep.
    const chunk = Buffer.allocUnsafe(HEAD_CHUNK);
    for (let reads = 1; ; reads++) {
      const n = readSync(fd, chunk, 0, reads === 1 ? HEAD_FIRST_READ : chunk.length, null);
      if (n === 0) break;
      const foreign = parser.write(chunk.subarray(0, n));
      if (foreign >= 0) return foreign;
      if (reads % HEAD_CHUNKS_PER_TURN === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        if (deadline.error) throw deadline.error;
      }
    }
    parser.end();
    return null;
  } catch (error) {
    throw toInitramfsError(file, error, error instanceof CpioFormatError ? error.offset : 0);
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Returns false when it stopped early (stopLimit allowed it), true after reading the region to its end. */
async function walkCompressedRegion(
  file: string,
  size: number,
  offset: number,
  format: CompressedFormat,
  visitor: ImageVisitor,
  segments: InitramfsSegment[],
  deadline: Deadline,
): Promise<boolean> {
  // Only a zstd region can be proven to hold nothing after its frame without decoding it.
  const order = visitor.stopLimit && format === 'zstd' ? new SortedOrderTracker() : null;
  let frameChecked: boolean | null = null;
  const mayStop = (): boolean => {
    if (order === null || !order.inOrder) return false;
    const limit = visitor.stopLimit!();
    if (typeof limit !== 'string' || !order.passed(limit)) return false;
    frameChecked ??= isSingleZstdFrame(file, offset, size);
    return frameChecked;
  };
  const parser = new CpioStreamParser(segmentVisitor(visitor, segments, false, order), {
    stopAtForeignData: false,
    describeOffset: (at) => `offset ${at} of the data decompressed from the ${format} region at offset ${offset}`,
  });
  // The head is read synchronously, so a cancel may have come in the meantime: no decoder is started then.
  if (deadline.error) throw deadline.error;
  const stream = openDecompressedStream({ file, offset, format }, deadline);
  // Proven while the decoder starts (~8 ms of small reads for a 131 MB image; zstd's first output takes
  // longer), not when the walk reaches the limit, where it would hold up the answer.
  if (order !== null) frameChecked = isSingleZstdFrame(file, offset, size);
  let stopped: boolean;
  try {
    stopped = await stream.consume((chunk) => {
      parser.write(chunk);
      return mayStop();
    });
  } catch (error) {
    stream.cancel();
    throw toInitramfsError(file, error, offset);
  }
  if (stopped) {
    // Everything asked about has streamed past: end the decoder and wait for it, so no process is left.
    await stream.stop();
    return false;
  }
  // A decoder failure explains a cut-off archive better than the cut itself, so it is checked first.
  await stream.finished();
  try {
    parser.end();
  } catch (error) {
    throw toInitramfsError(file, error, offset);
  }
  if (parser.archives === 0) {
    throw new InitramfsError(
      'corrupt',
      file,
      `${file}: the ${format} data at offset ${offset} decompressed to nothing: no cpio archive inside`,
      offset,
    );
  }
  return true;
}
