import type { Snapshot } from '../snapshot/types.js';
import type { Report } from '../analyze/analyze.js';
import { VERSION } from '../version.js';
import { findingJson } from './finding.js';

/** The --json shape of check (and analyze): stable, documented in docs/json-output.md. */
export function jsonReport(s: Snapshot, r: Report): unknown {
  return {
    tool: { name: 'vfio-doctor', version: VERSION },
    host: {
      hostname: s.host.hostname,
      kernelRelease: s.host.kernelRelease,
      distribution: s.host.osRelease?.prettyName ?? null,
      family: s.host.osRelease?.family ?? null,
      cpuVendor: s.host.cpu?.vendor ?? null,
      origin: s.origin,
      privileged: s.privileged,
    },
    verdict: {
      status: r.verdict.status,
      layer: r.verdict.layer,
      cause: r.verdict.cause,
      findingId: r.verdict.findingId,
      subject: r.verdict.subject,
      severity: r.verdict.severity,
      missing: r.verdict.missing.map((u) => ({ check: u.id, layer: u.layer, subject: u.subject, reason: u.reason, settle: u.settle })),
    },
    findings: r.findings.map(findingJson),
    targets: r.targets,
    groups: r.groups,
    // Layers a later-stage line proves working, and the line.
    settled: (r.settled ?? []).map((x) => ({ layer: x.layer, by: x.by, evidence: x.evidence })),
    unchecked: [
      ...r.unchecked.map((u) => ({ check: u.id, layer: u.layer, subject: u.subject, reason: u.reason, settle: u.settle })),
      ...Object.entries(s.sources)
        .filter(([, rec]) => rec.status === 'denied' || rec.status === 'error')
        .map(([id, rec]) => ({ check: `source:${id}`, layer: null, subject: rec.path ?? rec.command?.join(' ') ?? null, reason: `${rec.status}${rec.message ? `: ${rec.message}` : ''}`, settle: null })),
    ],
  };
}
