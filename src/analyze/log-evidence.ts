import type { KernelLogLine, Snapshot } from '../snapshot/types.js';
import type { Evidence } from './finding.js';

/** Kernel log lines matching a pattern, as evidence (the log's origin and line number kept). */
export function logMatches(snap: Snapshot, re: RegExp, limit = 5): Evidence[] {
  const log = snap.kernelLog;
  if (!log) return [];
  const out: Evidence[] = [];
  for (const l of log.lines) {
    if (re.test(l.text)) {
      out.push(lineEvidence(snap, l));
      if (out.length >= limit) break;
    }
  }
  return out;
}

export function lineEvidence(snap: Snapshot, l: KernelLogLine): Evidence {
  return { source: snap.kernelLog?.from ?? 'kernel log', line: l.n, text: l.text };
}

export function hasLog(snap: Snapshot): boolean {
  return snap.kernelLog !== null;
}
