import { LAYERS, type Layer } from '../../analyze/layers.js';
import type { Snapshot } from '../../snapshot/types.js';
import type { DiffEvidence } from '../types.js';
import { messageDevice, messageKind, messageOf } from '../log-lines.js';
import { change, type ChangeClass } from './class.js';

// Faults and errors in the later boot's log that the earlier boot did not have. Lines are compared as
// messages (no timestamps). A message whose kind was already logged before (the same fault on the same
// device at another address) is shown as recurring, not as a regression: it is not new.

interface Category {
  id: string;
  layer: Layer;
  cause: string | null;
  title: string;
  re: RegExp;
}

/** First match wins: the specific kinds come before the general ones. */
const CATEGORIES: Category[] = [
  {
    id: 'dma-fault',
    layer: 'device',
    cause: 'dma-fault',
    title: 'DMA / IOMMU faults',
    re: /DMAR: ?\[(?:DMA (?:Read|Write)|INTR-REMAP)|DRHD: handling fault|INTR-REMAP: ?Request|Event logged \[|IO_PAGE_FAULT|dmar_fault: \d+ callbacks|smmu.*(?:fault|Unhandled context)/,
  },
  { id: 'firmware-bug', layer: 'firmware', cause: null, title: 'firmware bugs reported by the kernel', re: /\[Firmware Bug\]|\[Firmware Warn\]/ },
  { id: 'bar-conflict', layer: 'device', cause: 'bar-conflict', title: 'BAR reservation failures', re: /BAR \d+: (?:can't reserve|no space|failed to assign)|can't claim BAR|(?:claim|reserve) BAR.*fail/ },
  { id: 'd3', layer: 'device', cause: 'stuck-in-d3', title: 'power-state errors', re: /stuck in D3|(?:Unable|Refused|[Ff]ailed|can't) to change power state|Refused to change power state/ },
  {
    id: 'reset-error',
    layer: 'device',
    cause: 'reset-failed',
    title: 'reset errors',
    re: /not ready \d+ ?ms after (?:FLR|bus reset|secondary bus reset|resume|D3hot|Function Level Reset)|(?:reset|FLR) (?:failed|timed out|timeout)|[Ff]ailed to reset|timed out waiting for pending transaction|reset recovery/,
  },
  { id: 'probe-failure', layer: 'binding', cause: null, title: 'driver probe failures', re: /probe of \S+ failed|probe.*\bfail(?:ed|ure)\b|[Ff]ailed to probe/ },
  {
    id: 'module-error',
    layer: 'modules',
    cause: 'module-signature-rejected',
    title: 'module load errors',
    re: /module verification failed|Loading of (?:unsigned )?module .*(?:rejected|restricted)|Required key not available|Key was rejected|Unknown symbol|disagrees about version|Invalid module format|[Mm]odule \S+ not found/,
  },
  {
    id: 'iommu-error',
    layer: 'kernel',
    cause: null,
    title: 'IOMMU and interrupt-remapping errors',
    re: /No interrupt remapping support|Failed to (?:enable|setup) irq remapping|Not enabling interrupt remapping|Completion-Wait loop timed out|Command buffer timeout|Failed to add to iommu group|AMD-Vi: .*disabled|IOMMU.*(?:not found|failed)/,
  },
  { id: 'aer', layer: 'device', cause: null, title: 'uncorrectable PCIe errors (AER)', re: /AER:.*(?:Uncorrect|Fatal)/ },
];
const LOG_CAUSES = [...new Set(CATEGORIES.map((c) => c.cause).filter((c): c is string => c !== null))];
const LOG_LAYERS = LAYERS.filter((l) => CATEGORIES.some((c) => c.layer === l));

/** Any category at all: one pass over a line instead of one per category, for the many lines that are none. */
const ANY = new RegExp(CATEGORIES.map((c) => `(?:${c.re.source})`).join('|'));

interface Classified {
  category: Category;
  message: string;
  kind: string;
  device: string | null;
  line: number;
}

function classify(s: Snapshot): { all: Set<string>; kinds: Set<string>; hits: Classified[] } {
  const all = new Set<string>();
  const kinds = new Set<string>();
  const hits: Classified[] = [];
  for (const l of s.kernelLog?.lines ?? []) {
    const message = messageOf(l.text);
    if (all.has(message)) continue;
    all.add(message);
    const category = ANY.test(message) ? CATEGORIES.find((c) => c.re.test(message)) : undefined;
    if (!category) continue;
    const kind = messageKind(message);
    kinds.add(kind);
    hits.push({ category, message, kind, device: messageDevice(message), line: l.n });
  }
  return { all, kinds, hits };
}

const SHOWN = 6;

function evidence(hits: Classified[], source: string, newer: boolean): DiffEvidence[] {
  const ev: DiffEvidence[] = hits.slice(0, SHOWN).map((h) => ({ what: `line ${h.line}`, before: newer ? null : h.message, after: newer ? h.message : null, source }));
  if (hits.length > SHOWN) ev.push({ what: `and ${hits.length - SHOWN} more`, before: null, after: null, source });
  return ev;
}

/**
 * One group per category and device. Lines of a category that name no device ("DRHD: handling fault
 * status reg 2") go with the first group of that category that does, as they are part of its report.
 */
function byCategoryAndDevice(hits: Classified[]): Classified[][] {
  const m = new Map<string, Classified[]>();
  for (const h of hits) {
    const key = `${h.category.id}\u0000${h.device ?? ''}`;
    const list = m.get(key);
    if (list) list.push(h);
    else m.set(key, [h]);
  }
  for (const [key, list] of m) {
    if (!key.endsWith('\u0000')) continue;
    const id = key.slice(0, -1);
    const home = [...m.entries()].find(([k]) => k !== key && k.startsWith(`${id}\u0000`));
    if (!home) continue;
    home[1].push(...list);
    home[1].sort((x, y) => x.line - y.line);
    m.delete(key);
  }
  return [...m.values()];
}

export const kernelLog: ChangeClass = {
  meta: {
    id: 'kernel-log',
    layer: LOG_LAYERS[0],
    alsoLayers: LOG_LAYERS.slice(1),
    causes: LOG_CAUSES,
    title: 'Kernel log',
    description: 'Messages of passthrough-relevant kinds (DMA faults, BAR conflicts, reset and D3 errors, probe and module failures, IOMMU errors, firmware bugs, AER) new in or gone from the later log, compared without time, host or address noise.',
    reports: ['log-new-<kind>', 'log-gone-<kind>'],
  },
  compare(ctx, out) {
    const la = ctx.a.snap.kernelLog;
    const lb = ctx.b.snap.kernelLog;
    if (!la || !lb) {
      if (la || lb) out.note(`kernel logs not compared: no kernel log in the ${la ? 'later' : 'earlier'} snapshot`);
      return;
    }
    if (la.droppedLines > 0) out.note(`the earlier kernel log was cut to its first and last lines (${la.droppedLines} dropped): a message from the dropped middle can show as new`);
    const a = classify(ctx.a.snap);
    const b = classify(ctx.b.snap);
    const fresh = byCategoryAndDevice(b.hits.filter((h) => !a.all.has(h.message)));
    for (const hits of fresh) {
      const { category } = hits[0]!;
      const device = hits.find((h) => h.device !== null)?.device ?? null;
      const recurring = hits.every((h) => a.kinds.has(h.kind));
      const where = device ? ` from ${device}` : '';
      out.add(
        change(`log-new-${category.id}`, category.layer, recurring ? 'neutral' : 'regression', `${recurring ? 'Recurring' : 'New'} ${category.title}${where} in the kernel log (${hits.length} line${hits.length > 1 ? 's' : ''})`, evidence(hits, lb.from, true), {
          subject: device,
          cause: recurring ? null : category.cause,
        }),
      );
    }
    const gone = byCategoryAndDevice(a.hits.filter((h) => !b.all.has(h.message) && !b.kinds.has(h.kind)));
    for (const hits of gone) {
      const { category } = hits[0]!;
      const device = hits.find((h) => h.device !== null)?.device ?? null;
      // The later log may simply not have reached that point yet (no VM started): not an improvement.
      out.add(
        change(`log-gone-${category.id}`, category.layer, 'neutral', `${category.title}${device ? ` from ${device}` : ''} no longer in the kernel log`, evidence(hits, la.from, false), {
          subject: device ? ctx.aToB.get(device) ?? device : null,
        }),
      );
    }
  },
};
