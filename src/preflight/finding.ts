// Findings in the shape check uses, so scripts read preflight and check output the same way.

import type { Evidence, Finding, Severity } from '../analyze/finding.js';
import { CAUSES } from '../analyze/causes.js';

export interface PreflightDraft {
  id: string;
  cause: string;
  severity: Severity;
  subject?: string | null;
  title: string;
  evidence: Evidence[];
  decision: string;
  commands?: string[];
}

export function finding(d: PreflightDraft): Finding {
  const info = CAUSES[d.cause];
  if (!info) throw new Error(`preflight rule ${d.id} uses unknown cause ${d.cause}`);
  return {
    id: `preflight.${d.id}`,
    layer: info.layer,
    cause: d.cause,
    severity: d.severity,
    subject: d.subject ?? null,
    title: d.title,
    evidence: d.evidence,
    decision: d.decision,
    commands: d.commands ?? [],
    trusted: true,
    untrustedUntil: null,
  };
}
