import type { Origin, Snapshot } from '../snapshot/types.js';
import type { Report } from '../analyze/analyze.js';
import type { Layer } from '../analyze/layers.js';
import type { Verdict } from '../analyze/verdict.js';
import type { Target } from '../analyze/targets.js';
import type { GroupRow } from '../analyze/group-table.js';
import type { SettledLayer } from '../analyze/settled.js';
import type { NotUnderstood, SectionFound } from '../paste/types.js';
import { jsonHeader, type JsonHeader } from '../output/json-header.js';
import { findingJson, type FindingJson } from './finding.js';

/** A check that could not be made; a source that could not be read is one too (check "source:ID", no layer). */
export interface UncheckedJson {
  check: string;
  layer: Layer | null;
  subject: string | null;
  reason: string;
  settle: string | null;
}

/**
 * The --json shape of check and analyze: schema/report.schema.json, documented in docs/json-output.md.
 * analyze adds what it read of the pasted text (sectionsFound, notUnderstood, earlierCaptures).
 */
export interface ReportJson extends JsonHeader<'report'> {
  host: {
    hostname: string | null;
    kernelRelease: string | null;
    distribution: string | null;
    family: string | null;
    cpuVendor: string | null;
    origin: Origin;
    privileged: boolean | null;
  };
  verdict: Omit<Verdict, 'missing'> & { missing: UncheckedJson[] };
  findings: FindingJson[];
  targets: Target[];
  groups: GroupRow[];
  settled: SettledLayer[];
  unchecked: UncheckedJson[];
  sectionsFound?: SectionFound[];
  notUnderstood?: NotUnderstood[];
  earlierCaptures?: { label: string; file: string; from: number; to: number; verdict: Pick<Verdict, 'status' | 'layer' | 'cause' | 'subject'> }[];
}

export function jsonReport(s: Snapshot, r: Report): ReportJson {
  return {
    ...jsonHeader('report'),
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
