import type { Layer } from './layers.js';
import type { FindingDraft } from './finding.js';
import type { AnalysisContext } from './context.js';

/**
 * What every judge of the evidence says about itself — analyze rules, preflight checks and diff change
 * classes alike, in the manner of a lint rule's meta. docs/findings.md is generated from it.
 */
export interface RuleMeta {
  /** Stable id, kebab-case. An analyze rule's findings carry it as their id. */
  id: string;
  /** The layer it judges; a diff class whose changes fall in several layers names the earliest. */
  layer: Layer;
  /** The other layers its findings can fall in. */
  alsoLayers?: Layer[];
  /** Causes it can report (see causes.ts). */
  causes: string[];
  /** A few words, for headings. */
  title: string;
  /** One line: what it checks (the documentation of the rule). */
  description: string;
  /** What to do when it reports, in general; each finding's decision says it for the host at hand. */
  fix?: string;
  /** Ids its findings carry when they are not the rule's own id (preflight.X, diff change ids); <x> is filled at run time. */
  reports?: string[];
  /** The rule never reports a failure: when it cannot check, the verdict is not held open on its account first. */
  warnOnly?: boolean;
}

/** Whether a finding id is one a meta lists; "<x>" in a listed id stands for any run of id characters. */
export function declaresId(listed: readonly string[], id: string): boolean {
  return listed.some((l) => (l.includes('<') ? new RegExp(`^${l.replace(/[.]/g, '\\.').replace(/<[^>]+>/g, '[a-z0-9._-]+')}$`).test(id) : l === id));
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
