// What preflight knows about the kernel the next boot will run, and what it predicts for each target.

import type { AnalysisContext } from '../analyze/context.js';
import type { Finding } from '../analyze/finding.js';
import type { RuleMeta } from '../analyze/rule.js';
import type { AliasIndex } from '../modules/alias-match.js';
import type { InitramfsInfo } from '../snapshot/types.js';

export interface ModuleFile {
  name: string;
  /** Host path of the .ko file. */
  path: string;
}

/** The installed, not yet booted kernel, read from its modules directory and /boot. */
export interface NextKernel {
  version: string;
  /** [major, minor]; null for a release string that does not start with numbers. */
  majorMinor: [number, number] | null;
  /** Host path of /lib/modules/VERSION, or null when the directory is missing. */
  modulesDir: string | null;
  /** Module names from modules.builtin (underscored); null when the file is missing. */
  builtin: Set<string> | null;
  /** Every .ko under the modules directory, by underscored name. */
  onDisk: Map<string, ModuleFile>;
  /** modules.alias of this kernel, indexed; null when missing. */
  aliases: AliasIndex | null;
  /** /boot/config-VERSION options; null when missing. */
  config: { path: string; options: Record<string, string> } | null;
}

/** Where the next boot's command line comes from, and what it is. */
export interface NextCmdline {
  raw: string;
  /** The file (and entry) it was read from. */
  source: string;
  /** false when nothing specific to this kernel was found and the running command line is assumed. */
  specific: boolean;
}

export interface NextInitramfs {
  /** Host path of the image (or the --initramfs file as given). */
  image: string;
  info: InitramfsInfo;
}

export interface PreflightInput {
  /** Analysis context of the running host: targets, distro family, current configuration. */
  ctx: AnalysisContext;
  running: string | null;
  kernel: NextKernel;
  initramfs: NextInitramfs;
  cmdline: NextCmdline;
  /** Out-of-tree modules of the next kernel (updates/, extra/), with their signature state. */
  outOfTree: Map<string, ModuleFile & { signed: boolean | null }>;
}

export type Outcome = 'works' | 'fails' | 'at-risk';

/** The prediction for one target function after the reboot. */
export interface TargetPrediction {
  address: string;
  role: 'target' | 'companion';
  description: string;
  /** Host drivers whose modules.alias entries of the next kernel match the device. */
  hostDrivers: string[];
  /** The driver expected to own the device after the reboot; null when no driver matches at all. */
  driver: string | null;
  /** Why that driver wins. */
  why: string;
  outcome: Outcome;
}

/** One check, described like an analyze rule: reads nothing itself, returns findings from the input. */
export interface PreflightCheck {
  meta: RuleMeta;
  check: (input: PreflightInput) => Finding[];
}

export interface PreflightReport {
  running: string | null;
  kernel: string;
  initramfs: string;
  cmdline: NextCmdline;
  targets: TargetPrediction[];
  findings: Finding[];
  /** "fail" when any finding fails, "warn" on warnings only, "pass" otherwise. */
  verdict: 'pass' | 'warn' | 'fail';
}
