import type { Layer } from '../analyze/layers.js';

// The result of comparing two snapshots. These names are JSON interface (`vfio-doctor diff --json`):
// scripts and change-request tooling read them, so they only ever grow.

/** regression: passthrough got worse or riskier; improvement: better; neutral: worth knowing, no judgement. */
export type ChangeKind = 'regression' | 'improvement' | 'neutral';

/** One observed difference: the value before and after, and where it was read. */
export interface DiffEvidence {
  what: string;
  /** null: absent or not set in that snapshot. */
  before: string | null;
  after: string | null;
  /** Host path or log the value came from, when there is one. */
  source?: string;
}

export interface Change {
  /** Stable id of the change class and direction (e.g. "iommu-group-merged"); listed in docs/diff.md. */
  id: string;
  layer: Layer;
  kind: ChangeKind;
  /** A cause name from DESIGN.md when the change is that cause appearing (or going away); else null. */
  cause: string | null;
  /** The PCI function it is about, as addressed in the later snapshot (the earlier one when it is gone). */
  subject: string | null;
  title: string;
  evidence: DiffEvidence[];
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
