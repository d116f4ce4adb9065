// The analysis worker: runs `analyze` as the main thread would (analyze-run.ts) and sends back what it
// printed, then the verdict's status or the error that ended it. See analyze.ts for why a worker. It
// loads only the analysis: the command line is read on the main thread (its options would bring the
// snapshot store and its validator), and the exit code is made there (check's rule, with check).
import { parentPort, workerData } from 'node:worker_threads';
import { InputError, UsageError, type Io } from '../cli/command.js';
import { InputReadError } from '../io/read-input.js';
import { runAnalyze } from './analyze-run.js';
import type { AnalyzeJob, FailureKind, FromAnalyzeWorker } from './analyze-worker-protocol.js';

const job = workerData as AnalyzeJob;
const port = parentPort!;
const send = (m: FromAnalyzeWorker): void => port.postMessage(m);

const io: Io = {
  stdout: (text) => send({ stream: 'stdout', text }),
  stderr: (text) => send({ stream: 'stderr', text }),
  // analyze.ts keeps an input of standard input on the main thread.
  readStdin: () => Promise.reject(new Error('standard input is read on the main thread')),
  env: job.env,
  isTty: job.isTty,
  columns: job.columns,
  cwd: job.cwd,
};

function kindOf(err: unknown): FailureKind {
  if (err instanceof UsageError) return 'usage';
  if (err instanceof InputError || err instanceof InputReadError) return 'input';
  return 'other';
}

runAnalyze(job.request, io).then(
  (status) => send({ status }),
  (err: unknown) => send({ failed: { kind: kindOf(err), message: (err as Error)?.message ?? String(err), stack: (err as Error)?.stack } }),
);
