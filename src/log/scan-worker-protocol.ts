// What the main thread and the scan worker (scan-worker.ts) say to each other. Everything crossing is
// structured-cloned, so an error travels as plain fields and is rebuilt with its errno code, which the
// callers turn into "cannot read: …".

import type { ScanOptions, ScanResult } from './relevant.js';

/** workerData: the part of an open file to scan, and the scan's limits. */
export interface ScanJob {
  /** A descriptor of the main thread's: descriptors belong to the process, and the reads are positional. */
  fd: number;
  /** Byte offset of a line start; the worker reads from there to the end of the file. */
  start: number;
  opts: ScanOptions;
}

export type ScanWireError = { code: string | null; message: string };

/** Worker to main thread: its one answer. Line numbers count from the first line of the part. */
export type FromScanWorker = { ok: true; result: ScanResult } | { ok: false; error: ScanWireError };

export function scanErrorToWire(error: unknown): ScanWireError {
  const e = error as NodeJS.ErrnoException | null;
  return { code: typeof e?.code === 'string' ? e.code : null, message: error instanceof Error ? error.message : String(error) };
}

export function scanErrorFromWire(w: ScanWireError): Error {
  const e = new Error(w.message) as NodeJS.ErrnoException;
  if (w.code !== null) e.code = w.code;
  return e;
}
