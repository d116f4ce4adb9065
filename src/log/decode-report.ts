// The result of "vfio-doctor decode": events grouped by device, the context the log gives, and the
// knowledge-base entries that match. Kept as plain data so the text and JSON renderers share it.

import type { KernelLogSection } from '../snapshot/types.js';
import type { KbEntry } from '../kb/types.js';
import { matchKnowledgeBase, type KbMatch } from '../kb/match.js';
import { comparePciAddresses, hasSegment, resolveSegment } from '../pci/address.js';
import { logContext } from './context.js';
import { jsonHeader, type JsonHeader } from '../output/json-header.js';
import { decodeLines } from './events/index.js';
import type { LogEvent } from './events/types.js';

export interface DeviceGroup {
  /** null: events about no single device (IOMMU set-up, modules, the boot). */
  device: string | null;
  id: string | null;
  class: string | null;
  iommuGroup: number | null;
  events: LogEvent[];
}

/** schema/decode.schema.json, documented in docs/json-output.md. */
export interface DecodeReport extends JsonHeader<'decode'> {
  /** The layout name before schemaVersion existed; kept so that readers of it go on working (removed at version 2). */
  schema: 'vfio-doctor.decode/1';
  source: Omit<KernelLogSection, 'lines'> & { keptLines: number; decodedEvents: number };
  context: {
    kernelRelease: string | null;
    cmdline: string | null;
    devices: { address: string; id: string | null; class: string | null; iommuGroup: number | null }[];
  };
  groups: DeviceGroup[];
  knowledgeBase: KbMatch[];
}

export function buildDecodeReport(section: KernelLogSection, kb: readonly KbEntry[]): DecodeReport {
  const events = decodeLines(section.lines);
  const ctx = logContext(events);
  const known = new Set<string>([...ctx.devices.keys(), ...events.map((e) => e.device).filter((d): d is string => d !== null && hasSegment(d))]);
  const groups = new Map<string | null, LogEvent[]>();
  // A fault storm names the same few devices thousands of times: each spelling is resolved once.
  const resolved = new Map<string, string>();
  for (const e of events) {
    let key: string | null = null;
    if (e.device !== null) {
      key = resolved.get(e.device) ?? resolveSegment(e.device, known);
      resolved.set(e.device, key);
    }
    const list = groups.get(key) ?? [];
    list.push(e);
    groups.set(key, list);
  }
  const keys = [...groups.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : comparePciAddresses(a, b)));
  const deviceGroups: DeviceGroup[] = keys.map((k) => {
    const d = k !== null ? ctx.devices.get(k) : undefined;
    return { device: k, id: d?.id ?? null, class: d?.class ?? null, iommuGroup: d?.iommuGroup ?? null, events: groups.get(k) ?? [] };
  });
  const deviceIds = [...new Set([...ctx.devices.values()].map((d) => d.id).filter((i): i is string => i !== null))];
  const { lines, ...rest } = section;
  return {
    ...jsonHeader('decode'),
    schema: 'vfio-doctor.decode/1',
    source: { ...rest, keptLines: lines.length, decodedEvents: events.length },
    context: {
      kernelRelease: ctx.kernelRelease,
      cmdline: ctx.cmdline,
      devices: [...ctx.devices.values()].sort((a, b) => comparePciAddresses(a.address, b.address)),
    },
    groups: deviceGroups,
    knowledgeBase: matchKnowledgeBase({ events, lines, kernelRelease: ctx.kernelRelease, cmdline: ctx.cmdline, deviceIds }, kb),
  };
}

