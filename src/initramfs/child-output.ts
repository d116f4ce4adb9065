// Reads a decompressor's standard output into one reused buffer (net.Socket's onread) instead of through
// the stream child_process hands out, which makes a new 64 KiB Buffer for every read and passes each
// through the stream machinery. For a 131 MB zstd image that path, not zstd, set the pace: the first
// 118 MB took ~330 ms to read that way against ~180 ms with one buffer, as long as zstd alone needs to
// write them to /dev/null (median of 3 each, the reader alone, 2 cores under chrt).

import { Socket } from 'node:net';
import type { Readable } from 'node:stream';

/** Bytes one read may bring; a socket rarely holds more than ~200 KiB at a time. */
const READ_BUFFER = 256 * 1024;

export interface ChildOutput {
  /**
   * Hands each read to `onChunk` as a view of the shared buffer, valid only during the call (copy what
   * must outlive it), until the end or until onChunk returns true; resolves true when it stopped that
   * way. An error thrown by onChunk or met while reading rejects it; so does `destroy(error)`.
   */
  consume(onChunk: (chunk: Buffer) => boolean): Promise<boolean>;
  /** Stops reading and closes the descriptor; with an error, a pending consume() rejects with it. */
  destroy(error?: Error): void;
}

/**
 * Takes over the descriptor behind a child's stdout (the handle child_process opened), before the event
 * loop first reads from it. null when the stream has no handle (a child that failed to start): its own
 * events then say what happened.
 */
export function takeChildOutput(stdout: Readable): ChildOutput | null {
  const handle = (stdout as Readable & { _handle?: object | null })._handle;
  if (!handle) return null;
  const buffer = Buffer.allocUnsafe(READ_BUFFER);
  let deliver: ((chunk: Buffer) => boolean) | null = null;
  // A read before consume() (or after it settled) is kept as a copy, and reading pauses until asked for.
  const early: Buffer[] = [];
  const socket = new Socket({
    handle,
    readable: true,
    writable: false,
    onread: {
      buffer,
      // Returning false stops reading; every reader of the stream goes through here, so a throw is caught.
      callback: (n: number) => {
        if (deliver !== null) return deliver(buffer.subarray(0, n));
        early.push(Buffer.from(buffer.subarray(0, n)));
        return false;
      },
    },
  } as ConstructorParameters<typeof Socket>[0]);
  return {
    consume(onChunk) {
      return new Promise((resolve, reject) => {
        let settled = false;
        const settle = (error: unknown, stopped: boolean): void => {
          if (settled) return;
          settled = true;
          deliver = null;
          if (error !== null) reject(error);
          else resolve(stopped);
        };
        deliver = (chunk) => {
          let stop: boolean;
          try {
            stop = onChunk(chunk);
          } catch (error) {
            settle(error, false);
            return false;
          }
          if (stop) settle(null, true);
          return !stop;
        };
        while (early.length > 0 && deliver !== null) deliver(early.shift()!);
        if (deliver === null) return;
        if (early.length === 0) socket.resume();
        socket.once('end', () => settle(null, false));
        socket.once('error', (error) => settle(error, false));
        // Destroyed without an error (cancelled): what was read is all there is.
        socket.once('close', () => settle(null, false));
      });
    },
    destroy(error) {
      socket.destroy(error);
    },
  };
}
