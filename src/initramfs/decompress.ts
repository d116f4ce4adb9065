// Streams the decompressed bytes of one compressed region of an image, from its offset to the end of the
// file. gzip is decoded in-process; the other formats go through the system tool (Node 20 has no decoder
// for them), fed the file through a pipe and read back as it produces output, so memory stays flat.

import { spawn } from 'node:child_process';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

import { takeChildOutput } from './child-output.js';
import { DECOMPRESSORS, type CompressedFormat } from './compression.js';
import type { Deadline } from './deadline.js';
import { InitramfsError } from './errors.js';

export interface CompressedRegion {
  file: string;
  offset: number;
  format: CompressedFormat;
}

export interface DecompressedStream {
  /**
   * Hands each decoded chunk to `onChunk` as it arrives (no copying, no promise per chunk) until the end,
   * or until onChunk returns true; resolves true when it stopped that way. An error thrown by onChunk or
   * met while reading rejects it. A chunk may be a view of a buffer the next read reuses: it is valid
   * only during the call.
   */
  consume(onChunk: (chunk: Buffer) => boolean): Promise<boolean>;
  /**
   * Settles once the decoder is done: resolves on a clean finish, rejects with an InitramfsError when the
   * decoder failed or could not run. Await it after consume() has finished.
   */
  finished(): Promise<void>;
  /** Stops reading and ends the decoder, for when the caller gave up early. */
  cancel(): void;
  /**
   * Ends the decoder because the caller has read all it wants, and settles once it is gone (no process
   * left behind); its exit status then means nothing and is not reported.
   */
  stop(): Promise<void>;
}

const READ_CHUNK = 1 << 20;
const STDERR_LIMIT = 8 * 1024;

function regionWords(region: CompressedRegion): string {
  return `the ${region.format} data at offset ${region.offset}`;
}

function readFailure(region: CompressedRegion, error: NodeJS.ErrnoException): InitramfsError {
  return new InitramfsError(
    'unreadable',
    region.file,
    `${region.file}: cannot read ${regionWords(region)}: ${error.code ?? error.message}`,
    region.offset,
  );
}

/**
 * 'data' events rather than an async iterator: the iterator's read() joins whatever chunks are buffered
 * into one new Buffer, a copy of most of the stream when the consumer falls behind, and costs a promise
 * per chunk.
 */
function consumeReadable(
  out: Readable,
  onChunk: (chunk: Buffer) => boolean,
  unregister: () => void,
  mapError: (error: unknown) => unknown,
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error: unknown, stopped: boolean): void => {
      if (settled) return;
      settled = true;
      out.off('data', onData);
      out.pause();
      unregister();
      if (error !== null) reject(mapError(error));
      else resolve(stopped);
    };
    const onData = (chunk: Buffer): void => {
      let stop: boolean;
      try {
        stop = onChunk(chunk);
      } catch (error) {
        settle(error, false);
        return;
      }
      if (stop) settle(null, true);
    };
    out.on('data', onData);
    out.once('end', () => settle(null, false));
    out.once('error', (error) => settle(error, false));
    // Destroyed without an error (cancelled): what was read is all there is; finished() says why.
    out.once('close', () => settle(null, false));
  });
}

export function openDecompressedStream(region: CompressedRegion, deadline: Deadline): DecompressedStream {
  return region.format === 'gzip' ? openGunzip(region, deadline) : openExternal(region, deadline);
}

function openGunzip(region: CompressedRegion, deadline: Deadline): DecompressedStream {
  const input = createReadStream(region.file, { start: region.offset, highWaterMark: READ_CHUNK });
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  input.on('error', (error: NodeJS.ErrnoException) => gunzip.destroy(readFailure(region, error)));
  input.pipe(gunzip);
  const unregister = deadline.register((error) => {
    input.destroy();
    gunzip.destroy(error);
  });

  const zlibFailure = (error: unknown): unknown => {
    if (error instanceof InitramfsError || !(error instanceof Error) || !('code' in error)) return error;
    const zlibError = error as NodeJS.ErrnoException;
    // zlib says Z_BUF_ERROR when the input ran out before the end of the deflate stream.
    const truncated = zlibError.code === 'Z_BUF_ERROR';
    return new InitramfsError(
      truncated ? 'truncated' : 'corrupt',
      region.file,
      `${region.file}: ${regionWords(region)} is ${truncated ? 'truncated' : 'corrupt'}: ${zlibError.message}`,
      region.offset,
    );
  };

  return {
    consume: (onChunk) => consumeReadable(gunzip, onChunk, unregister, zlibFailure),
    finished: () => Promise.resolve(),
    cancel: () => {
      input.destroy();
      gunzip.destroy();
    },
    stop: () => {
      input.destroy();
      gunzip.destroy();
      return Promise.resolve();
    },
  };
}

interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  spawnError: NodeJS.ErrnoException | null;
}

/**
 * The image opened with its file position at `offset`, for a child to read as its stdin: the tool reads the
 * file itself instead of Node copying every compressed byte through a pipe.
 */
function openAt(region: CompressedRegion): number {
  const fd = openSync(region.file, 'r');
  try {
    // Node has no lseek: reading the bytes before the region moves the shared file position past them.
    const skip = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(region.offset, 1)));
    let left = region.offset;
    while (left > 0) {
      const n = readSync(fd, skip, 0, Math.min(skip.length, left), null);
      if (n === 0) break;
      left -= n;
    }
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

function openExternal(region: CompressedRegion, deadline: Deadline): DecompressedStream {
  const tool = DECOMPRESSORS[region.format as Exclude<CompressedFormat, 'gzip'>];
  let fd: number;
  try {
    fd = openAt(region);
  } catch (error) {
    throw readFailure(region, error as NodeJS.ErrnoException);
  }
  let child;
  try {
    child = spawn(tool.command, [...tool.args], { stdio: [fd, 'pipe', 'pipe'] });
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(fd);
  }
  const stdout = child.stdout as Readable;
  // Read through one reused buffer (child-output.ts); the plain stream only for a child that never started.
  const output = takeChildOutput(stdout);
  let stderr = '';

  // The stdout stream child_process made never closes once its descriptor is taken over, so the child's
  // 'close' never comes: its exit and the end of its stderr (the complaint read whole) are awaited instead.
  const stderrDone = new Promise<void>((resolve) => child.stderr!.once('close', () => resolve()));
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ code: null, signal: null, spawnError: error }));
    child.once('exit', (code, signal) => void stderrDone.then(() => resolve({ code, signal, spawnError: null })));
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    if (stderr.length < STDERR_LIMIT) stderr += text;
  });

  const stop = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const closeOutput = (error?: Error): void => {
    if (output) output.destroy(error);
    else stdout.destroy(error);
  };
  const unregister = deadline.register((error) => {
    stop();
    closeOutput(error);
  });


  async function finished(): Promise<void> {
    const status = await exited;
    if (deadline.error) throw deadline.error;
    const where = regionWords(region);
    if (status.spawnError) {
      if (status.spawnError.code === 'ENOENT') {
        const also = tool.otherPackages ? `; ${tool.otherPackages}` : '';
        throw new InitramfsError(
          'decompressor-missing',
          region.file,
          `${region.file}: cannot read ${where}: the command "${tool.command}" is not installed ` +
            `(Debian/Ubuntu package ${tool.debianPackage}${also})`,
          region.offset,
        );
      }
      throw new InitramfsError(
        'decompressor-failed',
        region.file,
        `${region.file}: cannot run "${tool.command}" for ${where}: ${status.spawnError.message}`,
        region.offset,
      );
    }
    if (status.code === 0) return;
    const said = firstErrorLine(stderr);
    const how = status.signal ? `was killed by ${status.signal}` : `exited with status ${status.code}`;
    // The tools' own words for input that stops early (zstd, xz, bzip2, lz4 in that order of phrasing).
    const truncated = /premature end|unexpected end|ends unexpectedly|cannot access compressed block/i.test(said);
    throw new InitramfsError(
      truncated ? 'truncated' : 'decompressor-failed',
      region.file,
      `${region.file}: ${where} is ${truncated ? 'truncated' : 'corrupt'}: ` +
        `"${[tool.command, ...tool.args].join(' ')}" ${how}${said ? `: ${said}` : ''}`,
      region.offset,
    );
  }

  async function stopEarly(): Promise<void> {
    stop();
    closeOutput();
    await exited;
  }

  const consume = (onChunk: (chunk: Buffer) => boolean): Promise<boolean> => {
    if (!output) return consumeReadable(stdout, onChunk, unregister, (e) => e);
    return output.consume(onChunk).finally(unregister);
  };
  const cancel = (): void => {
    stop();
    closeOutput();
  };
  return { consume, finished, cancel, stop: stopEarly };
}

/** The decoder's own complaint, on one line, without the blank and progress lines some tools print. */
function firstErrorLine(stderr: string): string {
  const lines = stderr
    .split(/[\r\n]+/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return (lines[0] ?? '').slice(0, 300);
}
