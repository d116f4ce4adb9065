import type { Finding, Unchecked } from './finding.js';
import { LAYERS, layerIndex, type Layer } from './layers.js';

export interface Verdict {
  /**
   * broken: a failing finding decides; warning: only warnings; undetermined: nothing fails but a
   * check could not be made (missing data); healthy: everything was checked and nothing is wrong.
   */
  status: 'broken' | 'warning' | 'undetermined' | 'healthy';
  /** null when healthy, or undetermined with nothing in the evidence pointing at a layer. */
  layer: Layer | null;
  cause: string | null;
  findingId: string | null;
  subject: string | null;
  severity: 'fail' | 'warn' | null;
  /**
   * For an undetermined verdict: the checks that could not be made (those of the named layer first), and
   * what would settle them. For a warning: the checks that could have failed before its layer.
   */
  missing: Unchecked[];
}

const SEVERITY_RANK = { fail: 0, warn: 1, info: 2 } as const;

/** Findings in report order: by layer, then severity, then the order the rules ran. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => layerIndex(a.f.layer) - layerIndex(b.f.layer) || SEVERITY_RANK[a.f.severity] - SEVERITY_RANK[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
}

/**
 * The first layer with a failing finding decides; with no failure, the first layer with a warning; with
 * neither, undetermined when a check could not be made, otherwise healthy. Informational findings never
 * decide. Findings of later layers than a failing one are marked untrusted: they may be consequences of
 * the earlier break.
 */
export function decideVerdict(sorted: Finding[], unchecked: Unchecked[] = [], settled: readonly Layer[] = [], named: readonly string[] = []): Verdict {
  const firstFail = sorted.find((f) => f.severity === 'fail');
  const decisive = sorted.find((f) => f.severity === 'warn');
  for (const f of sorted) {
    const untrusted = firstFail !== undefined && layerIndex(f.layer) > layerIndex(firstFail.layer);
    f.trusted = !untrusted;
    f.untrustedUntil = untrusted ? firstFail.layer : null;
  }
  if (firstFail) {
    return { status: 'broken', layer: firstFail.layer, cause: firstFail.cause, findingId: firstFail.id, subject: firstFail.subject, severity: 'fail', missing: [] };
  }
  // A layer a later-stage line proves working (settled.ts) is not held open by the checks it lacks.
  // Checks that could have failed come first: they are what keeps the verdict open.
  const open = unchecked
    .filter((u) => !settled.includes(u.layer))
    .sort((a, b) => Number(b.couldFail) - Number(a.couldFail) || layerIndex(a.layer) - layerIndex(b.layer));
  if (decisive) {
    // A line that proves a warning outranks silence: the warning decides, and the checks missing before
    // its layer are kept beside it (they could still hide an earlier break).
    const before = open.filter((u) => u.couldFail && layerIndex(u.layer) < layerIndex(decisive.layer));
    return { status: 'warning', layer: decisive.layer, cause: decisive.cause, findingId: decisive.id, subject: decisive.subject, severity: 'warn', missing: before };
  }
  const missing = open;
  if (missing.length === 0) return { status: 'healthy', layer: null, cause: null, findingId: null, subject: null, severity: null, missing: [] };
  // Undetermined names a layer only when something in the evidence points there: a finding of that layer
  // (even an informational one), or a missing check about a device the user or the evidence named (a VM
  // error, a hook variable). Silence alone (no cpuinfo, no command line in a paste) points nowhere.
  const spoken = new Set(sorted.map((f) => f.layer));
  const points = (u: Unchecked) => (u.subject !== null && named.includes(u.subject)) || spoken.has(u.layer);
  const pointed = missing.find((u) => u.couldFail && points(u)) ?? missing.find(points);
  const ordered = pointed ? [...missing.filter((u) => u.layer === pointed.layer), ...missing.filter((u) => u.layer !== pointed.layer)] : missing;
  return { status: 'undetermined', layer: pointed?.layer ?? null, cause: null, findingId: null, subject: null, severity: null, missing: ordered };
}

export { LAYERS };
