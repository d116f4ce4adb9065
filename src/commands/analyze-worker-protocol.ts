// The messages between analyze.ts and the analysis worker (analyze-worker.ts).

import type { AnalyzeRequest } from './analyze-run.js';
import type { Verdict } from '../analyze/verdict.js';

/** What the worker is given: the request and what of the main thread's Io the analysis reads. */
export interface AnalyzeJob {
  request: AnalyzeRequest;
  env: Record<string, string | undefined>;
  isTty: boolean;
  columns?: number;
  cwd: string;
}

/** How an error thrown by the analysis is told apart again on the main thread (cli/main.ts prints each its own way). */
export type FailureKind = 'usage' | 'input' | 'other';

export type FromAnalyzeWorker =
  | { stream: 'stdout' | 'stderr'; text: string }
  | { status: Verdict['status'] }
  | { failed: { kind: FailureKind; message: string; stack?: string } };
