import type { Finding, Unchecked } from './finding.js';
import { LAYERS, layerIndex, type Layer } from './layers.js';

export interface Verdict {
  /**
   * broken: a failing finding decides; warning: only warnings; undetermined: nothing fails but a
   * check could not be made (missing data); healthy: everything was checked and nothing is wrong.
   */
  status: 'broken' | 'warning' | 'undetermined' | 'healthy';
  /** null when healthy (or undetermined with nothing found). */
  layer: Layer | null;
  cause: string | null;
  findingId: string | null;
  subject: string | null;
  severity: 'fail' | 'warn' | null;
  /** For an undetermined verdict: the first checks that could not be made, and what would settle them. */
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
 * The first layer with a failing finding decides; with no failure, the first layer with a warning;
 * otherwise healthy. Informational findings never decide. Findings of later layers than a failing
 * one are marked untrusted: they may be consequences of the earlier break.
 */
export function decideVerdict(sorted: Finding[], unchecked: Unchecked[] = [], settled: readonly Layer[] = []): Verdict {
  const decisive = sorted.find((f) => f.severity === 'fail') ?? sorted.find((f) => f.severity === 'warn');
  const firstFail = sorted.find((f) => f.severity === 'fail');
  for (const f of sorted) {
    const untrusted = firstFail !== undefined && layerIndex(f.layer) > layerIndex(firstFail.layer);
    f.trusted = !untrusted;
    f.untrustedUntil = untrusted ? firstFail.layer : null;
  }
  if (firstFail) {
    return { status: 'broken', layer: firstFail.layer, cause: firstFail.cause, findingId: firstFail.id, subject: firstFail.subject, severity: 'fail', missing: [] };
  }
  // Without a failure, silence is not health: an unchecked layer before the first warning leaves it open.
  const firstWarnLayer = decisive ? layerIndex(decisive.layer) : LAYERS.length;
  // Checks that could have failed come first: they are what keeps the verdict open.
  // A layer a later-stage line proves working (settled.ts) is not held open by the checks it lacks.
  const missing = unchecked
    .filter((u) => layerIndex(u.layer) <= firstWarnLayer && !settled.includes(u.layer))
    .sort((a, b) => Number(b.couldFail) - Number(a.couldFail) || layerIndex(a.layer) - layerIndex(b.layer));
  if (missing.length > 0) {
    return {
      status: 'undetermined',
      layer: missing[0]!.layer,
      cause: null,
      findingId: null,
      subject: null,
      severity: null,
      missing,
    };
  }
  if (!decisive) return { status: 'healthy', layer: null, cause: null, findingId: null, subject: null, severity: null, missing: [] };
  return { status: 'warning', layer: decisive.layer, cause: decisive.cause, findingId: decisive.id, subject: decisive.subject, severity: 'warn', missing: [] };
}

export { LAYERS };
