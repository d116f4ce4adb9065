// What preflight's main thread and the image worker (image-worker.ts) say to each other. Everything
// crossing is structured-cloned, so an error travels as plain fields and is rebuilt on this side with
// the class the callers test for.

import type { InitramfsInfo } from '../snapshot/types.js';
import { InitramfsError, type InitramfsErrorKind } from '../initramfs/index.js';

/** workerData: the image to read and how. */
export interface ImageJob {
  /** Local path of the image (inside the capture). */
  file: string;
  /** The path shown for it. */
  shown: string;
  kernel: string;
  timeoutMs: number;
}

/** Main thread to worker. */
export type ToWorker =
  /** Where reading may stop (see summariseInitramfs), once preflight knows what it asks the image. */
  | { limit: string | null }
  /** Nothing is wanted any more: end the decoder and exit. */
  | { cancel: true };

export type WireError =
  | { type: 'initramfs'; kind: InitramfsErrorKind; file: string; message: string; offset?: number }
  | { type: 'errno'; code: string; message: string }
  | { type: 'other'; message: string };

/** Worker to main thread: its one answer. */
export type FromWorker = { ok: true; info: InitramfsInfo } | { ok: false; error: WireError };

export function toWire(error: unknown): WireError {
  if (error instanceof InitramfsError) {
    return { type: 'initramfs', kind: error.kind, file: error.file, message: error.message, ...(error.offset === undefined ? {} : { offset: error.offset }) };
  }
  const e = error as NodeJS.ErrnoException | null;
  if (typeof e?.code === 'string') return { type: 'errno', code: e.code, message: e.message };
  return { type: 'other', message: error instanceof Error ? error.message : String(error) };
}

export function fromWire(w: WireError): Error {
  if (w.type === 'initramfs') return new InitramfsError(w.kind, w.file, w.message, w.offset);
  const e = new Error(w.message) as NodeJS.ErrnoException;
  if (w.type === 'errno') e.code = w.code;
  return e;
}
