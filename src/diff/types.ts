import type { Layer } from '../analyze/layers.js';
import type { ChangedValue, Finding } from '../analyze/finding.js';

// The result of comparing two snapshots. These names are JSON interface (`vfio-doctor diff --json`):
// scripts and change-request tooling read them, so they only ever grow.

/** regression: passthrough got worse or riskier; improvement: better; neutral: worth knowing, no judgement. */
export type ChangeKind = 'regression' | 'improvement' | 'neutral';

/** One observed difference: the value before and after, and where it was read. */
export type DiffEvidence = ChangedValue;

/**
 * A finding of a diff change class. `id` is the change id (e.g. "iommu-group-merged", listed in
 * docs/findings.md); `subject` is addressed as in the later snapshot (the earlier one when it is gone);
 * `severity` follows `kind` (a regression fails); a change in a layer after the first regression is not
 * trusted until that layer is fixed, as in check.
 */
export interface Change extends Omit<Finding<DiffEvidence>, 'cause'> {
  kind: ChangeKind;
  /** A cause name from DESIGN.md when the change is that cause appearing (or going away); else null. */
  cause: string | null;
}

export interface SideSummary {
  /** The file it was read from; null for a snapshot handed over in memory. */
  file: string | null;
  label: string | null;
  collectedAt: string;
  hostname: string | null;
  kernelRelease: string | null;
  bootId: string | null;
}

export interface DiffReport {
  before: SideSummary;
  after: SideSummary;
  /** Ordered by layer (the chain's order), then regressions, improvements, neutral. */
  changes: Change[];
  counts: Record<ChangeKind, number>;
  /** The earliest layer with a regression: fix that one first (later layers may follow from it). */
  firstRegressionLayer: Layer | null;
  /** Why parts could not be compared (a source missing on one side, different hosts). */
  notes: string[];
}

export interface DiffOptions {
  /** Explicit targets, as `check --device` / `--ids` take them; otherwise inferred from both snapshots. */
  devices?: string[];
  ids?: string[];
  /** Files the snapshots came from, for the report header. */
  beforeFile?: string | null;
  afterFile?: string | null;
}
