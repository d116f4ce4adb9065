import type { Finding } from './finding.js';
import { LAYERS, layerIndex, type Layer } from './layers.js';

export interface Verdict {
  /** null when healthy. */
  layer: Layer | null;
  cause: string | null;
  findingId: string | null;
  subject: string | null;
  severity: 'fail' | 'warn' | null;
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
export function decideVerdict(sorted: Finding[]): Verdict {
  const decisive = sorted.find((f) => f.severity === 'fail') ?? sorted.find((f) => f.severity === 'warn');
  const firstFail = sorted.find((f) => f.severity === 'fail');
  for (const f of sorted) {
    const untrusted = firstFail !== undefined && layerIndex(f.layer) > layerIndex(firstFail.layer);
    f.trusted = !untrusted;
    f.untrustedUntil = untrusted ? firstFail.layer : null;
  }
  if (!decisive) return { layer: null, cause: null, findingId: null, subject: null, severity: null };
  return { layer: decisive.layer, cause: decisive.cause, findingId: decisive.id, subject: decisive.subject, severity: decisive.severity as 'fail' | 'warn' };
}

export { LAYERS };
