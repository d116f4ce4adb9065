// The scan worker: scans the second part of a large log file (split-scan.ts) while the main thread
// scans the first, and answers with that part's kept lines and counts.

import { parentPort, workerData } from 'node:worker_threads';
import { scanKernelLog } from './relevant.js';
import { scanErrorToWire, type FromScanWorker, type ScanJob } from './scan-worker-protocol.js';

const job = workerData as ScanJob;
const port = parentPort!;

function answer(m: FromScanWorker): void {
  port.postMessage(m);
  port.close();
}

scanKernelLog({ fd: job.fd, start: job.start }, job.opts).then(
  (result) => answer({ ok: true, result }),
  (error: unknown) => answer({ ok: false, error: scanErrorToWire(error) }),
);
