import type { Layer } from './layers.js';

export type Severity = 'fail' | 'warn' | 'info';

/** One piece of evidence: a line of a file or log, or a value read, and where it came from. */
export interface Evidence {
  /** File path, log name or command, as on the host. */
  source: string;
  text: string;
  /** Line number in the source, when it has lines. */
  line?: number;
}

/** A value that differs between two snapshots (the evidence of a diff change). */
export interface ChangedValue {
  what: string;
  /** null: absent or not set in that snapshot. */
  before: string | null;
  after: string | null;
  /** Host path or log the value came from, when there is one. */
  source?: string;
}

/**
 * What every rule reports — analyze rules, preflight checks and diff change classes — and every
 * renderer prints (src/render/finding.ts). Diff changes carry before/after values as evidence.
 */
export interface Finding<E extends Evidence | ChangedValue = Evidence> {
  /** The rule's stable id. */
  id: string;
  layer: Layer;
  cause: string;
  severity: Severity;
  /** The device the finding is about, when it is about one. */
  subject: string | null;
  title: string;
  evidence: E[];
  /** What to do next, in words. */
  decision: string;
  /** The exact commands for this host's distribution family, in order. */
  commands: string[];
  /** false when an earlier layer is broken: shown, but not to be acted on first. */
  trusted: boolean;
  /** The broken earlier layer that makes this finding untrusted. */
  untrustedUntil: Layer | null;
}

/** What a rule reports; the runner adds id, layer, trust. */
export type FindingDraft = Omit<Finding, 'id' | 'layer' | 'trusted' | 'untrustedUntil' | 'subject' | 'commands'> & {
  subject?: string | null;
  commands?: string[];
};

/** A check that could not be made, and why (missing data, not root). */
export interface Unchecked {
  id: string;
  layer: Layer;
  subject: string | null;
  reason: string;
  /** The command (or file) whose output would settle it. */
  settle: string | null;
  /** The check could have found a failure: its absence keeps a verdict open more than a warning-only check's. */
  couldFail: boolean;
}
