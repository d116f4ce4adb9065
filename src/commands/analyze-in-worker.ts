// Runs `analyze` on a worker thread with a small heap (analyze.ts says when and why) and hands back what
// it printed with how it ended, or says that the worker gave out so that the caller can run it here.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { analyzeWorkerSource } from './analyze-worker-source.js';
import type { WorkerSource } from '../io/worker-source.js';
import type { AnalyzeJob, FromAnalyzeWorker } from './analyze-worker-protocol.js';
import type { Verdict } from '../analyze/verdict.js';

type Printed = { stream: 'stdout' | 'stderr'; text: string };

export type WorkerOutcome =
  /** The analysis ran to its end: what it printed (in order), and its verdict's status or the error it threw. */
  | { ran: true; printed: Printed[]; status: Verdict['status'] }
  | { ran: true; printed: Printed[]; failed: { kind: 'usage' | 'input' | 'other'; message: string; stack?: string } }
  /** The worker stopped before the analysis ended (out of its heap, or could not start). */
  | { ran: false; why: string };

export function analyzeInWorker(job: AnalyzeJob, limits: ResourceLimits, source: WorkerSource = analyzeWorkerSource()): Promise<WorkerOutcome> {
  return new Promise((resolve) => {
    // Held until the end: a worker that runs out of memory half way must leave nothing printed, since the
    // analysis is then run again on the main thread.
    const printed: Printed[] = [];
    let settled = false;
    let why = 'the analysis worker stopped';
    const settle = (o: WorkerOutcome): void => {
      if (!settled) resolve(o);
      settled = true;
    };
    let worker: Worker;
    try {
      worker = new Worker(source.script, { eval: source.eval, workerData: job, resourceLimits: limits, stdout: false, stderr: false });
    } catch (err) {
      settle({ ran: false, why: (err as Error)?.message ?? String(err) });
      return;
    }
    worker.on('message', (m: FromAnalyzeWorker) => {
      if ('stream' in m) printed.push(m);
      else if ('status' in m) settle({ ran: true, printed, status: m.status });
      else settle({ ran: true, printed, failed: m.failed });
    });
    worker.on('error', (err: Error) => {
      why = err.message;
    });
    // After an error too: the worker's heap is gone before anything runs again here.
    worker.on('exit', () => settle({ ran: false, why }));
  });
}
