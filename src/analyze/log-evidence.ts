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

const ADDRESS_IN_LINE = /\b([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\b/g;
const byDeviceCache = new WeakMap<Snapshot, Map<string, KernelLogLine[]>>();

/** Kernel log lines naming a device, indexed once per snapshot (per-device rules on a large host ask often). */
export function deviceLines(snap: Snapshot, address: string): KernelLogLine[] {
  let index = byDeviceCache.get(snap);
  if (!index) {
    index = new Map();
    for (const l of snap.kernelLog?.lines ?? []) {
      for (const m of l.text.matchAll(ADDRESS_IN_LINE)) {
        const list = index.get(m[1]!);
        if (!list) index.set(m[1]!, [l]);
        else if (list.at(-1) !== l) list.push(l);
      }
    }
    byDeviceCache.set(snap, index);
  }
  return index.get(address) ?? [];
}

/** Lines naming a device that also match a pattern, as evidence. */
export function deviceLogMatches(snap: Snapshot, address: string, re: RegExp, limit = 3): Evidence[] {
  return deviceLines(snap, address)
    .filter((l) => re.test(l.text))
    .slice(0, limit)
    .map((l) => lineEvidence(snap, l));
}
