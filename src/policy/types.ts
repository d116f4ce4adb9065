// A written passthrough policy: what a host of a SKU (or a host name pattern) must be. Parsed from
// YAML by parse.ts, judged against a snapshot by evaluate.ts, documented in docs/policy.md.

/** Where a value was written, for evidence and error messages. */
export interface At {
  line: number;
}

export const RESET_METHODS = ['device_specific', 'acpi', 'flr', 'af_flr', 'pm', 'bus', 'cxl_bus'] as const;
export type ResetMethod = (typeof RESET_METHODS)[number];

export interface TargetRule extends At {
  /** Exactly one of id (every function with it) and address. */
  id: string | null;
  address: string | null;
  /** alone: no other endpoint in its IOMMU group; a list: only these (ids or addresses) beside it. */
  isolation: { alone: true; line: number } | { alone: false; with: string[]; line: number } | null;
  reset: { method: ResetMethod; line: number } | null;
}

export interface AcsOverrideRule extends At {
  decision: 'forbidden' | 'allowed';
  reason: string | null;
  owner: string | null;
  /** YYYY-MM-DD. */
  reviewBy: string | null;
}

export interface Match {
  host: string | null;
  vendor: string | null;
  product: string | null;
  board: string | null;
  cpu: string | null;
}

export interface PolicyEntry extends At {
  name: string;
  match: Match;
  targets: TargetRule[];
  interruptRemapping: ({ required: boolean } & At) | null;
  acsOverride: AcsOverrideRule | null;
  allowUnsafeInterrupts: ({ allowed: boolean } & At) | null;
  kernels: ({ allowed: string[] } & At) | null;
  minimumBios: ({ version: string } & At) | null;
}

export interface Policy {
  /** The file as given on the command line. */
  file: string;
  entries: PolicyEntry[];
}
