// Scans a large log file on two threads: a worker scans the second part while this thread scans the
// first, and the two results are merged into exactly what one scan of the whole file gives.
//
// Why it is exact: everything the scan decides is decided per line, and the parts meet at a line start,
// so each line is seen whole by one of them. The kept lines are the first and the last half of the
// relevant ones (KeepWindow); each part keeps the first and the last half of its own, and that holds
// every line the whole file's window keeps (see mergeScans). Line numbers of the second part count from
// its own first line and are moved by the first part's line count.

import { fstatSync, readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { KeepWindow } from './keep-window.js';
import { DEFAULT_MAX_LINES, scanKernelLog, type ScanOptions, type ScanResult } from './relevant.js';
import { scanErrorFromWire, type FromScanWorker, type ScanJob } from './scan-worker-protocol.js';
import { scanWorkerSource } from './scan-worker-source.js';
import type { WorkerSource } from '../io/worker-source.js';
import type { KernelLogLine } from '../snapshot/types.js';

/**
 * Files smaller than this are scanned on one thread: the worker's code runs 100–130 ms after it is
 * started (Node's start of a thread, and the scanner and rule tables parsed again), as long as scanning
 * 40–50 MB takes.
 */
export const SPLIT_MIN_BYTES = 64 * 1024 * 1024;
/**
 * The share of the file this thread scans: more than half, as the worker starts later. On the bench's
 * 301 MB log (2 cores) the worker's part then ends 50–90 ms before this one; 0.50 measured the same
 * within the noise, and 0.45 left this thread waiting.
 */
const MAIN_SHARE = 0.55;

export interface SplitScanOptions extends ScanOptions {
  /** For tests: split files from this size on. */
  splitMinBytes?: number;
  /** For tests: the worker's code (one that cannot start makes this thread scan the second part too). */
  workerSource?: WorkerSource;
}

/**
 * Scans an open regular file from its start to its end, as scanKernelLog({ fd }) of a freshly opened
 * descriptor does, on two threads when the file is large. The descriptor's offset is not used.
 */
export async function scanLogFile(fd: number, opts: SplitScanOptions = {}): Promise<ScanResult> {
  const { splitMinBytes = SPLIT_MIN_BYTES, workerSource, ...scan } = opts;
  const size = fstatSync(fd).size;
  const split = size >= splitMinBytes ? lineStartAfter(fd, Math.floor(size * MAIN_SHARE), size) : null;
  if (split === null) return scanKernelLog({ fd, start: 0 }, scan);
  const job: ScanJob = { fd, start: split, opts: scan };
  const second = scanInWorker(job, workerSource ?? scanWorkerSource());
  let first: ScanResult;
  try {
    first = await scanKernelLog({ fd, start: 0, end: split }, scan);
  } catch (e) {
    // The worker reads the same descriptor: it must be gone before the caller closes it.
    await second.stop();
    throw e;
  }
  const rest = (await second.result()) ?? (await scanKernelLog({ fd, start: split }, scan));
  return mergeScans(first, rest, scan.maxLines ?? DEFAULT_MAX_LINES);
}

/**
 * One scan's result from two consecutive parts' (the second's line numbers counted from its own start).
 * Exact: the whole window keeps the first max/2 and the last max/2 relevant lines; each part's window
 * kept its own first and last max/2 (or all of its lines), so the parts' kept lines, in order, hold every
 * line the whole window keeps, and a window fed with them keeps those same lines.
 */
export function mergeScans(first: ScanResult, second: ScanResult, maxLines: number): ScanResult {
  const window = new KeepWindow<KernelLogLine>(maxLines);
  for (const l of first.lines) window.add(l);
  const shift = first.stats.totalLines;
  for (const l of second.lines) window.add({ n: l.n + shift, text: l.text });
  const lines = window.items();
  const a = first.stats;
  const b = second.stats;
  const relevantLines = a.relevantLines + b.relevantLines;
  return {
    lines,
    stats: {
      totalLines: a.totalLines + b.totalLines,
      totalBytes: a.totalBytes + b.totalBytes,
      candidateLines: a.candidateLines + b.candidateLines,
      relevantLines,
      keptLines: lines.length,
      droppedLines: relevantLines - lines.length,
      truncatedLines: a.truncatedLines + b.truncatedLines,
      binaryLines: a.binaryLines + b.binaryLines,
    },
  };
}

// The first line start at or after `from`, or null when no line starts between there and the end.
function lineStartAfter(fd: number, from: number, size: number): number | null {
  const buf = Buffer.allocUnsafe(64 * 1024);
  for (let pos = from; pos < size; ) {
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n <= 0) return null;
    const nl = buf.subarray(0, n).indexOf(10);
    if (nl >= 0) return pos + nl + 1 < size ? pos + nl + 1 : null;
    pos += n;
  }
  return null;
}

interface PendingScan {
  /** The part's result; null when the worker could not start or died without answering. */
  result(): Promise<ScanResult | null>;
  /** Ends the worker; settles once it is gone. */
  stop(): Promise<void>;
}

function scanInWorker(job: ScanJob, source: WorkerSource): PendingScan {
  let worker: Worker;
  try {
    worker = new Worker(source.script, { eval: source.eval, workerData: job, stdout: false, stderr: false });
  } catch {
    return { result: () => Promise.resolve(null), stop: () => Promise.resolve() };
  }
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const answer = new Promise<FromScanWorker | null>((resolve) => {
    worker.once('message', (m: FromScanWorker) => resolve(m));
    worker.once('error', () => resolve(null));
    worker.once('exit', () => resolve(null));
  });
  return {
    async result() {
      // Its reads are over once it has answered (the scan settles after its last read), so the
      // descriptor may be closed while the thread is still winding down.
      const m = await answer;
      if (m === null) return null;
      if (!m.ok) throw scanErrorFromWire(m.error);
      return m.result;
    },
    async stop() {
      await worker.terminate();
      await exited;
    },
  };
}
