// What a decoded kernel-log line becomes, and the shape of the tables that decode them.

import type { Layer } from '../../analyze/layers.js';
import type { ParsedLine } from '../prefix.js';
import type { LogDiffClassId } from './diff-classes.js';

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

/**
 * What a rule sees of a line: the message and its device prefix, nothing of when, where or how it was
 * logged. So a message decodes the same whatever its time stamp or log format, which decodeLines relies
 * on (it decodes each distinct message once); widen this only together with that memo.
 */
export interface RuleContext {
  parsed: Pick<ParsedLine, 'device'>;
  /** The message without time, host and device prefixes (parsed.text). */
  text: string;
}

/** Who prints a line: the kernel, a user-space tool (QEMU, libvirt, modprobe, GRUB), or /proc/iomem. */
export type LineOrigin = 'kernel' | 'user-space' | 'procfs';

/**
 * One row of the kernel-log knowledge table: how to recognise a line, what it means, and everything the
 * rest of the program derives from that (the prefilter's anchors, the diff's classes, paste derivation,
 * the paste recogniser, the docs). Examples are real lines; a property test runs each through every path.
 */
export interface Rule {
  kind: string;
  family: EventFamily;
  /** The layer of the chain the line is evidence about. */
  layer: Layer;
  severity: Severity;
  /**
   * Literals (>= 4 bytes, case-sensitive) one of which every line this rule decodes contains, in the message
   * after its prefixes. The prefilter keeps any line holding one, decoded or not; the decoder tries the regex
   * only on text holding one of these or of `gated`.
   */
  anchors: readonly string[];
  /**
   * Literals that also turn up in ordinary lines ("reset", "probe", "BAR "): the prefilter keeps a line
   * holding only these when this rule decodes it.
   */
  gated?: readonly string[];
  re: RegExp;
  /** A further condition on the match (e.g. only for the vfio-pci driver). */
  when?: (m: RegExpExecArray, ctx: RuleContext) => boolean;
  /** What the line proves, for the checks that build on the decoder. */
  signals?: Signal[];
  /** The cause (analyze/causes.ts) the line is direct evidence of, when it is one. */
  cause?: string;
  /** The class a new occurrence falls in when two boots' logs are compared (null: not compared). */
  diff: LogDiffClassId | null | ((fields: Fields) => LogDiffClassId | null);
  /** Who prints the line; default the kernel. */
  origin?: LineOrigin;
  /** Real lines this rule decodes (kernel-facts.md, bug reports, the kernel and tool sources). */
  examples: readonly string[];
  /** A function gets the row's fields too (computed first), so it need not derive them again. */
  era?: string | ((m: RegExpExecArray, ctx: RuleContext, fields: Fields) => string | null);
  fields?: (m: RegExpExecArray, ctx: RuleContext) => Fields;
  /** Default: the address of the device prefix. */
  device?: (m: RegExpExecArray, ctx: RuleContext, fields: Fields) => string | null;
  meaning: string | ((fields: Fields, ctx: RuleContext, device: string | null) => string);
  /** Severity that depends on the decoded fields. */
  severityOf?: (fields: Fields) => Severity;
}
