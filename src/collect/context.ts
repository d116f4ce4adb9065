import type { SourceRecord } from '../snapshot/types.js';
import type { HostFs } from './host-fs.js';

export interface CollectContext {
  fs: HostFs;
  /** Reading the running host (commands may be run) rather than a copied tree. */
  live: boolean;
  sources: Record<string, SourceRecord>;
  /** Per-command timeout for external commands. */
  commandTimeoutMs: number;
}

export function note(ctx: CollectContext, id: string, record: SourceRecord): void {
  ctx.sources[id] = record;
}
