// Plain-text rendering of a decode report: readable in a terminal and pasteable into a ticket.
// Repeated events (a fault storm, the same line in every boot) are shown once with a count.

import type { KbMatch } from '../kb/match.js';
import type { DecodeReport, DeviceGroup } from './decode-report.js';
import type { LogEvent } from './events/types.js';
import { HANG } from '../render/wrap.js';

/** Kinds shown in a device's header line instead of as events of their own. */
const FOLDED = new Set(['pci-device', 'iommu-group-add']);

export function renderDecodeText(r: DecodeReport): string {
  const out: string[] = [];
  const s = r.source;
  out.push(`vfio-doctor decode: ${s.from}`);
  out.push(
    `  ${HANG}${fmt(s.totalLines)} lines (${mb(s.totalBytes)}) read; ${fmt(s.relevantLines)} relevant` +
      (s.droppedLines > 0 ? `, ${fmt(s.keptLines)} kept (the first and last halves; ${fmt(s.droppedLines)} in between dropped)` : '') +
      `; ${fmt(s.decodedEvents)} decoded events` +
      (s.truncatedLines > 0 ? `; ${fmt(s.truncatedLines)} lines cut at the length limit` : '') +
      (s.binaryLines > 0 ? `; ${fmt(s.binaryLines)} lines with binary data` : ''),
  );
  if (r.context.kernelRelease) out.push(`  kernel ${r.context.kernelRelease}`);
  if (r.context.cmdline) out.push(`  command line: ${HANG}${r.context.cmdline}`);
  out.push('');

  const devices = r.groups.filter((g) => g.device !== null);
  const general = r.groups.find((g) => g.device === null);
  if (devices.length > 0) {
    out.push('Devices');
    for (const g of devices) out.push(...renderGroup(g));
    out.push('');
  }
  if (general && general.events.length > 0) {
    out.push('Not about one device');
    out.push(...renderEvents(general.events, '  '));
    out.push('');
  }
  if (r.groups.length === 0) {
    out.push('No IOMMU, VFIO or PCI passthrough lines were recognised in this log.', '');
  }

  out.push(r.knowledgeBase.length > 0 ? `Known problems that match (${r.knowledgeBase.length})` : 'Known problems that match: none');
  for (const m of r.knowledgeBase) out.push(...renderMatch(m));
  return out.join('\n') + '\n';
}

function renderGroup(g: DeviceGroup): string[] {
  const head = [`  ${g.device ?? ''}`];
  if (g.id) head.push(`[${g.id}]`);
  if (g.class) head.push(`class ${g.class}`);
  if (g.iommuGroup !== null) head.push(`IOMMU group ${g.iommuGroup}`);
  const shown = g.events.filter((e) => !FOLDED.has(e.kind));
  const lines = [head.join('  ')];
  if (shown.length === 0) lines.push('    (enumeration and group membership only)');
  else lines.push(...renderEvents(shown, '    '));
  return lines;
}

function renderEvents(events: readonly LogEvent[], indent: string): string[] {
  const order: string[] = [];
  const byKey = new Map<string, LogEvent[]>();
  for (const e of events) {
    const k = collapseKey(e);
    const l = byKey.get(k);
    if (l) l.push(e);
    else {
      byKey.set(k, [e]);
      order.push(k);
    }
  }
  const out: string[] = [];
  for (const k of order) {
    const list = byKey.get(k) as LogEvent[];
    const e = list[0] as LogEvent;
    const last = list[list.length - 1] as LogEvent;
    const count = list.length > 1 ? `  ×${fmt(list.length)}, lines ${e.line}–${last.line}` : '';
    out.push(`${indent}line ${e.line}  ${e.severity.padEnd(7)} ${HANG}${e.kind}${e.era ? `  [format of kernel ${e.era}]` : ''}${count}`);
    for (const raw of e.raw.split('\n')) out.push(`${indent}  | ${HANG}${raw}`);
    const sum = summary(e);
    if (sum) out.push(`${indent}  ${HANG}${sum}`);
    out.push(`${indent}  → ${HANG}${e.meaning}`);
  }
  return out;
}

// Events that differ only in addresses or counters are the same finding for a reader.
function collapseKey(e: LogEvent): string {
  const f = e.fields;
  switch (e.kind) {
    case 'dmar-dma-fault':
      return `${e.kind}|${String(f['type'])}|${String(f['reasonCode'])}`;
    case 'amd-vi-event':
      return `${e.kind}|${String(f['event'])}|${String(f['flags'])}`;
    case 'dmar-fault-status':
    case 'dmar-faults-suppressed':
    case 'dmar-pte-dump':
    case 'vfio-device-enabled':
    case 'vgaarb-decodes':
    case 'amd-vi-dump':
      return e.kind;
    default:
      return `${e.kind}|${e.raw.replace(/^\S.*?\] /, '').replace(/^.*? kernel: /, '')}`;
  }
}

/** The decoded fields worth a line of their own, per kind. */
function summary(e: LogEvent): string | null {
  const f = e.fields;
  switch (e.kind) {
    case 'dmar-dma-fault': {
      if (f['reasonCode'] === null) return f['address'] ? `${String(f['type'])} at ${String(f['address'])}; reason on the following line` : null;
      const what = f['type'] === 'INTR-REMAP' ? `interrupt index ${String(f['faultIndex'])}` : `${String(f['access'] ?? 'access')} of IOVA ${String(f['address'] ?? '?')}`;
      const pasid = f['pasid'] ? `, PASID ${String(f['pasid'])}` : '';
      return `reason ${String(f['reasonHex'])} (printed ${String(f['reasonBase'])}) "${String(f['reason'])}"; ${what}${pasid}; requester ${String(f['requester'] ?? '?')} (the log gives no PCI segment)`;
    }
    case 'amd-vi-event': {
      const flags = Array.isArray(f['flagNames']) ? ` [${(f['flagNames'] as string[]).join(' ') || 'none'}]` : '';
      const parts = [`${String(f['event'])}`, f['domain'] ? `domain ${String(f['domain'])}` : '', f['address'] ? `address ${String(f['address'])}` : '', f['flags'] ? `flags ${String(f['flags'])}${flags}` : '', f['pasid'] ? `pasid ${String(f['pasid'])}` : ''];
      return parts.filter((p) => p !== '').join(', ') + (typeof f['flagsMeaning'] === 'string' ? ` = ${f['flagsMeaning']}` : '');
    }
    case 'probe-failed':
    case 'iommu-group-add-failed':
      return `error ${String(f['errno'])} = ${String(f['errnoName'] ?? '?')} (${String(f['errnoText'] ?? 'unknown errno')})`;
    case 'dmar-unit':
      return `cap ${String(f['cap'])} ecap ${String(f['ecap'])}: IR ${yn(f['irSupported'])}, EIM ${yn(f['eim'])}, scalable mode ${yn(f['scalableMode'])}, posted interrupts ${yn(f['postedInterrupts'])}, caching mode ${yn(f['cachingMode'])}`;
    default:
      return null;
  }
}

function renderMatch(m: KbMatch): string[] {
  const out = [`  [${m.id}] ${HANG}${m.title}`, `    layer ${m.layer}, cause ${m.cause}, ${m.severity}`];
  for (const ev of m.evidence) out.push(`    evidence: ${HANG}${ev.line !== null ? `line ${ev.line}: ` : `${ev.test}: `}${ev.text.split('\n')[0] ?? ''}`);
  if (m.kernel.status === 'unknown') out.push(`    applies to kernels ${String(m.kernel.range)}; this log does not say which kernel wrote it`);
  else if (m.kernel.status === 'match') out.push(`    applies to kernels ${String(m.kernel.range)}; this log is from ${String(m.kernel.release)}`);
  if (m.devices.status === 'match') out.push(`    devices: ${m.devices.matched.join(', ')}`);
  out.push(`    why: ${HANG}${m.explanation}`, `    fix: ${HANG}${m.fix}`);
  for (const ref of m.references) out.push(`    see: ${ref}`);
  out.push('');
  return out;
}

function yn(v: unknown): string {
  return v === true ? 'yes' : 'no';
}

// What n.toLocaleString('en-US') prints for a count, without its first call's ICU set-up (about 12 ms,
// on every decode).
function fmt(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) return n.toLocaleString('en-US');
  const digits = String(n);
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return out;
}

function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${bytes} bytes`;
}
