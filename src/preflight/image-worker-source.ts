// Where the image worker's code comes from. Run from the compiled sources (the tests), it is the module
// beside this one; the bundles replace this module with one that holds the worker's code as text
// (scripts/lazy-modules.mjs, WORKER_MODULES), since a one-file bundle has no module beside it to load.
import type { WorkerSource } from '../io/worker-source.js';


export function imageWorkerSource(): WorkerSource {
  return { script: new URL('./image-worker.js', import.meta.url), eval: false };
}
