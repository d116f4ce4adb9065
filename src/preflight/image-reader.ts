// Reads the next kernel's initramfs on a worker thread (image-worker.ts), started before the host is
// read. The decompressor then runs on the second core while this thread reads sysfs and the module
// tree; this thread's reads are synchronous, so a walk on its own event loop would stall with the
// decompressor's pipe full. The stop limit (what preflight will ask the image) is only known after those
// reads: it is sent when known, and the walk, proven sorted, stops at the first chunk past it.

import { Worker } from 'node:worker_threads';
import { summariseInitramfs } from '../collect/sources/initramfs.js';
import type { InitramfsInfo } from '../snapshot/types.js';
import { fromWire, type FromWorker, type ImageJob, type ToWorker } from './image-worker-protocol.js';
import { imageWorkerSource } from './image-worker-source.js';
import type { WorkerSource } from '../io/worker-source.js';

export interface PendingImage {
  readonly job: ImageJob;
  /** Where reading may stop (summariseInitramfs' modulesLimit); null to read everything. Call once. */
  limit(limit: string | null): void;
  /** The summary, or the error summariseInitramfs would have thrown. Call after limit(). */
  result(): Promise<InitramfsInfo>;
  /**
   * Abandons the read: its decoder is killed and the worker ends (harmless after the result). Settles
   * once the worker is gone, with its decoder.
   */
  cancel(): Promise<void>;
}

/** Starts reading the image on a worker thread; `source` is for tests (a worker that cannot start). */
export function readImageInWorker(job: ImageJob, source: WorkerSource = imageWorkerSource()): PendingImage {
  let limit: string | null | undefined;
  let settled = false;
  let worker: Worker | null;
  let answer: Promise<FromWorker | null>;
  let exited: Promise<void>;
  try {
    worker = new Worker(source.script, { eval: source.eval, workerData: job, stdout: false, stderr: false });
    const w = worker;
    exited = new Promise((resolve) => w.once('exit', () => resolve()));
    answer = new Promise((resolve) => {
      w.once('message', (m: FromWorker) => resolve(m));
      // A worker that could not start or died answers nothing: the image is then read on this thread.
      w.once('error', () => resolve(null));
      w.once('exit', () => resolve(null));
    });
  } catch {
    worker = null;
    answer = Promise.resolve(null);
    exited = Promise.resolve();
  }
  const send = (m: ToWorker): void => {
    try {
      worker?.postMessage(m);
    } catch {
      // Gone already: its answer (or its absence) says what happened.
    }
  };
  return {
    job,
    limit(l) {
      limit = l;
      send({ limit: l });
    },
    async result() {
      const m = await answer;
      // The worker ends by itself once it has answered (its decoder is gone by then).
      settled = true;
      if (m === null) return summariseInitramfs(job.file, job.shown, job.kernel, job.timeoutMs, () => limit);
      if (!m.ok) throw fromWire(m.error);
      return m.info;
    },
    cancel() {
      if (!settled) {
        settled = true;
        send({ cancel: true });
      }
      return exited;
    },
  };
}
