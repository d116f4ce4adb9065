// What a decoded kernel-log line becomes, and the shape of the tables that decode them.

import type { ParsedLine } from '../prefix.js';

export type EventFamily =
  | 'intel-dmar'
  | 'amd-vi'
  | 'iommu'
  | 'irq-remap'
  | 'vfio'
  | 'pci'
  | 'security'
  | 'framebuffer'
  | 'module'
  | 'boot'
  | 'hypervisor';

export type Severity = 'info' | 'notice' | 'warning' | 'error';

/**
 * What a line proves, for the checks that build on the decoder. "DMAR: IOMMU enabled" only says that
 * intel_iommu=on was parsed (dma-remapping-requested); the VT-d banner and group adds prove remapping.
 */
export type Signal =
  | 'iommu-table-present'
  | 'iommu-hardware-present'
  | 'dma-remapping-requested'
  | 'dma-remapping-active'
  | 'dma-remapping-disabled'
  | 'irq-remapping-active'
  | 'irq-remapping-unavailable'
  | 'dma-fault'
  | 'irq-remap-fault'
  | 'vfio-present'
  | 'secure-boot-enabled'
  | 'lockdown-active'
  | 'boot-framebuffer'
  | 'firmware-bug';

export type FieldValue = string | number | boolean | null | string[];
export type Fields = Record<string, FieldValue>;

export interface LogEvent {
  /** Stable identifier of what happened ("dmar-dma-fault", "vfio-bar-cant-reserve", …). */
  kind: string;
  family: EventFamily;
  severity: Severity;
  /**
   * The PCI function the line is about: "dddd:bb:dd.f", or "bb:dd.f" when the log does not say the
   * segment (Intel fault records never do). null when the line is about no single device.
   */
  device: string | null;
  /** The driver named in the "<driver> <address>:" prefix, when there is one. */
  driver: string | null;
  /** The kernel versions whose message format this line has ("< 4.2", "5.5-5.13", ">= 5.15"), when it tells. */
  era: string | null;
  fields: Fields;
  signals: Signal[];
  /** What it means, in plain words. */
  meaning: string;
  /** 1-based line number in the source (the first line, for messages split over two lines). */
  line: number;
  /** All source lines the event came from. */
  lines: number[];
  /** The source text (lines joined with "\n" for two-line forms). */
  raw: string;
  /** Seconds since boot, when the line says. */
  time: number | null;
}

/** What a rule sees of a line. */
export interface RuleContext {
  parsed: ParsedLine;
  /** The message without time, host and device prefixes (parsed.text). */
  text: string;
}

export interface Rule {
  kind: string;
  family: EventFamily;
  severity: Severity;
  /** A literal the text must contain before the regex is tried (cheap filter). */
  hint: string;
  re: RegExp;
  /** A further condition on the match (e.g. only for the vfio-pci driver). */
  when?: (m: RegExpExecArray, ctx: RuleContext) => boolean;
  signals?: Signal[];
  era?: string | ((m: RegExpExecArray, ctx: RuleContext) => string | null);
  fields?: (m: RegExpExecArray, ctx: RuleContext) => Fields;
  /** Default: the address of the device prefix. */
  device?: (m: RegExpExecArray, ctx: RuleContext, fields: Fields) => string | null;
  meaning: string | ((fields: Fields, ctx: RuleContext, device: string | null) => string);
  /** Severity that depends on the decoded fields. */
  severityOf?: (fields: Fields) => Severity;
}
