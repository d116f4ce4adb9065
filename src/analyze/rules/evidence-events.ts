// Decoded kernel-log lines and tool messages, as evidence, for the rules that judge what a host said
// (faults, failed resets, refused modules, VMM errors) rather than what its sysfs shows. The decoder in
// src/log/events reads both: QEMU, libvirt and DPDK messages use the same words the kernel log does.
import type { Snapshot, ToolMessage, ToolName } from '../../snapshot/types.js';
import type { Evidence } from '../finding.js';
import type { AnalysisContext } from '../context.js';
import { decodeLine, decodeLines, type LogEvent } from '../../log/events/index.js';

export interface SeenEvent {
  event: LogEvent;
  evidence: Evidence;
  /** 'kernel' for the kernel log, otherwise the tool that printed it. */
  from: 'kernel' | ToolName;
}

const cache = new WeakMap<Snapshot, SeenEvent[]>();

export function toolEvidence(m: ToolMessage): Evidence {
  return { source: m.source, line: m.line, text: m.text };
}

/** Every decodable line of the kernel log and of the tool messages, kernel log first. */
export function seenEvents(snap: Snapshot): SeenEvent[] {
  const hit = cache.get(snap);
  if (hit) return hit;
  const out: SeenEvent[] = [];
  const log = snap.kernelLog;
  if (log) {
    for (const e of decodeLines(log.lines)) out.push({ event: e, evidence: { source: log.from, line: e.line, text: e.raw.split('\n').join(' / ') }, from: 'kernel' });
  }
  for (const m of snap.toolMessages) {
    const e = decodeLine(m.text, m.line);
    if (e) out.push({ event: e, evidence: toolEvidence(m), from: m.tool });
  }
  cache.set(snap, out);
  return out;
}

export function eventsOf(snap: Snapshot, kinds: string[]): SeenEvent[] {
  return seenEvents(snap).filter((s) => kinds.includes(s.event.kind));
}

/** The device a log names, matched to a known function ("01:00.0" has no segment in Intel faults). */
export function deviceOf(ctx: AnalysisContext, printed: string | null): string | null {
  if (!printed) return null;
  const exact = ctx.device(printed);
  if (exact) return exact.address;
  const short = printed.length === 7 ? printed : null;
  const match = short ? ctx.snap.pci.filter((d) => d.address.endsWith(`:${short}`)) : [];
  if (match.length === 1) return match[0]!.address;
  return printed.length === 7 ? `0000:${printed}` : printed;
}

/** The tool messages matching a pattern, as evidence. */
export function toolLines(snap: Snapshot, re: RegExp, tools?: ToolName[]): { message: ToolMessage; evidence: Evidence }[] {
  return snap.toolMessages.filter((m) => (!tools || tools.includes(m.tool)) && re.test(m.text)).map((m) => ({ message: m, evidence: toolEvidence(m) }));
}

/** "the pasted input", "the sosreport", "this host": where the evidence would have had to be. */
export function originWords(snap: Snapshot): string {
  switch (snap.origin.kind) {
    case 'paste':
      return 'the pasted input';
    case 'sos':
      return 'the sosreport';
    case 'root':
      return 'the copied tree';
    default:
      return 'this host';
  }
}
