// The knowledge base of known regressions and pitfalls: entries as written in kb/*.json, and as
// loaded (regexes compiled, ranges parsed). The file format is documented in docs/knowledge-base.md.

export const KB_LAYERS = ['firmware', 'kernel', 'modules', 'binding', 'isolation', 'device', 'hypervisor'] as const;
export type KbLayer = (typeof KB_LAYERS)[number];
export const KB_SEVERITIES = ['info', 'warning', 'error'] as const;
export type KbSeverity = (typeof KB_SEVERITIES)[number];

/** One condition on the input, as written in the file. Exactly one of log/event/cmdline/release. */
export interface KbTestSpec {
  /** Regular expression matched against each log line's text. */
  log?: string;
  /** Kind of a decoded event ("dmar-dma-fault"); refine with device and fields. */
  event?: string;
  /** Regular expression the event's device address must match. */
  device?: string;
  /** Field name → regular expression the field's value (as text) must match. */
  fields?: Record<string, string>;
  /** Regular expression matched against the kernel command line. */
  cmdline?: string;
  /** Regular expression matched against the kernel release ("6.8.12-4-pve"). */
  release?: string;
}

export interface KbSignatureSpec {
  all?: KbTestSpec[];
  any?: KbTestSpec[];
  none?: KbTestSpec[];
  /** Kernel versions the problem exists in: comparators separated by spaces (">=5.15 <6.2"). */
  kernel?: string;
  /** vendor:device IDs the problem concerns; "*" matches any part ("10de:*"). */
  devices?: string[];
}

export interface KbEntrySpec {
  id: string;
  title: string;
  layer: KbLayer;
  cause: string;
  severity: KbSeverity;
  signature: KbSignatureSpec;
  explanation: string;
  fix: string;
  references: string[];
}

export interface KbTest {
  spec: KbTestSpec;
  log?: RegExp;
  event?: string;
  device?: RegExp;
  fields?: [string, RegExp][];
  cmdline?: RegExp;
  release?: RegExp;
}

export interface VersionComparator {
  op: '<' | '<=' | '>' | '>=' | '=';
  version: number[];
}

export interface KbEntry extends KbEntrySpec {
  /** The file the entry came from (for messages). */
  file: string;
  all: KbTest[];
  any: KbTest[];
  none: KbTest[];
  kernelRange: VersionComparator[] | null;
  devicePatterns: RegExp[] | null;
}
