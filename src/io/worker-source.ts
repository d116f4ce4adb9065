// Where a worker thread's code comes from: a module file beside the caller when run from the compiled
// sources, or the code itself as text in the one-file bundles (scripts/lazy-modules.mjs, WORKER_MODULES).
export interface WorkerSource {
  script: string | URL;
  eval: boolean;
}
