import type { Layer } from '../analyze/layers.js';
import type { Verdict } from '../analyze/verdict.js';
import type { Finding } from '../analyze/finding.js';

// The fleet view: snapshots of many hosts grouped by hardware SKU, with a canary decision per SKU for
// one kernel. These names are JSON interface (`vfio-doctor fleet --json`), documented in docs/fleet.md.

/** What one stored snapshot says about where and when it was taken; the snapshot itself is not kept. */
export interface BootRef {
  file: string;
  /** The host it belongs to: its hostname, or (no hostname recorded) its store directory or file. */
  host: string;
  collectedAt: string;
  kernel: string | null;
  bootId: string | null;
  biosVersion: string | null;
  biosDate: string | null;
  hardware: Hardware;
}

/** The parts of a SKU read from DMI and cpuinfo. */
export interface Hardware {
  vendor: string | null;
  product: string | null;
  board: string | null;
  cpu: string | null;
}

/** ok: nothing found; undetermined: a check that could fail could not be made; else the worst severity found. */
export type LayerState = 'ok' | 'warn' | 'fail' | 'undetermined';

/** One snapshot analysed: its verdict, each layer's state and the vendor:device ids of its targets. */
export interface Assessment {
  verdict: Verdict;
  /** The finding that decides the verdict, when one does. */
  decisive: Finding | null;
  layers: Record<Layer, LayerState>;
  targetIds: string[];
  findings: Finding[];
}

export interface DecisiveSummary {
  status: Verdict['status'];
  layer: Layer | null;
  cause: string | null;
  findingId: string | null;
  title: string | null;
}

export interface BootSummary {
  file: string;
  kernel: string | null;
  collectedAt: string;
  bootId: string | null;
}

/** A regression the canary's boot on the kernel shows against its previous kernel. */
export interface CanaryRegression {
  id: string;
  layer: Layer;
  subject: string | null;
  title: string;
}

export interface CanaryRun {
  host: string;
  /** Its latest boot on the kernel. */
  on: BootSummary;
  /** Its latest boot before that on another kernel; null when it has none. */
  previous: BootSummary | null;
  verdictOn: DecisiveSummary;
  verdictBefore: DecisiveSummary | null;
  /** regressed: the boot on the kernel is worse; clean: compared, nothing worse; no-baseline: nothing to compare with. */
  outcome: 'regressed' | 'clean' | 'no-baseline';
  regressions: CanaryRegression[];
}

export type CanaryDecisionKind = 'go' | 'hold' | 'no-canary';

export interface CanaryDecision {
  kernel: string | null;
  decision: CanaryDecisionKind;
  canaries: CanaryRun[];
  /** For no-canary: the host to reboot into the kernel first. */
  suggestion: string | null;
  /** The decision in one sentence. */
  reason: string;
}

export interface FleetHost {
  name: string;
  boots: number;
  latest: BootSummary;
  biosVersion: string | null;
  biosDate: string | null;
  verdict: DecisiveSummary;
  layers: Record<Layer, LayerState>;
  targetIds: string[];
  /** Findings of a written policy (fleet --policy), for the latest boot. */
  policyFindings: Finding[];
  /** The policy entries that apply to this host (names); null when no policy was given. */
  policyEntries: string[] | null;
}

export interface Sku {
  /** Short stable id of the SKU (hash of its parts). */
  id: string;
  hardware: Hardware;
  targetIds: string[];
  hosts: FleetHost[];
  /** Kernels the hosts run now (latest boot), with how many hosts run each, newest first. */
  kernels: { release: string; hosts: number }[];
  biosVersions: { version: string; hosts: number }[];
  layers: Record<Layer, Record<LayerState, number>>;
  canary: CanaryDecision;
}

export interface FleetReport {
  kernel: string | null;
  /** Whether --kernel named it, or it is the newest seen. */
  kernelFrom: 'option' | 'newest';
  snapshots: number;
  hosts: number;
  skus: Sku[];
  /** Snapshots skipped or hosts without what a decision needs. */
  notes: string[];
  policy: string | null;
}
