// The image worker: reads the next kernel's initramfs (summariseInitramfs) on its own thread, so that
// the decompressor runs from the start of a preflight run instead of after the host is read. The main
// thread's reads are synchronous and would leave the decompressor's pipe full (the tool then waits) if
// this thread's event loop did not drain it. The stop limit comes later by message; until then the walk
// goes on (see image-reader.ts).

import { parentPort, workerData } from 'node:worker_threads';
import { summariseInitramfs } from '../collect/sources/initramfs.js';
import { toWire, type FromWorker, type ImageJob, type ToWorker } from './image-worker-protocol.js';

const job = workerData as ImageJob;
const port = parentPort!;
let limit: string | null | undefined;
const cancelled = new AbortController();

port.on('message', (m: ToWorker) => {
  if ('cancel' in m) cancelled.abort();
  else limit = m.limit;
});

function answer(m: FromWorker): void {
  port.postMessage(m);
  // Lets the thread end once the decoder is gone: nothing more will come that matters.
  port.close();
}

summariseInitramfs(job.file, job.shown, job.kernel, job.timeoutMs, () => limit, cancelled.signal).then(
  (info) => answer({ ok: true, info }),
  (error: unknown) => answer({ ok: false, error: toWire(error) }),
);
