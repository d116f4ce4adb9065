import type { Layer } from './layers.js';
import type { FindingDraft } from './finding.js';
import type { AnalysisContext } from './context.js';

export interface RuleMeta {
  /** Stable id, kebab-case; documented in docs/findings.md. */
  id: string;
  layer: Layer;
  /** Causes this rule can report (see causes.ts). */
  causes: string[];
  /** One line: what the rule checks. */
  description: string;
  /** The rule never reports a failure: when it cannot check, the verdict is not held open on its account first. */
  warnOnly?: boolean;
}

export interface RuleReport {
  report: (draft: FindingDraft) => void;
  /** Say that a check could not be made for a subject, and why, and what would settle it; never guess from missing data. */
  cannotCheck: (subject: string | null, reason: string, settle?: string) => void;
}

/** One module per check, in the style of a lint rule: it describes itself and reports. */
export interface Rule {
  meta: RuleMeta;
  check: (ctx: AnalysisContext, out: RuleReport) => void;
}
