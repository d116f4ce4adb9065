import { LAYERS } from '../../analyze/layers.js';
import { LOG_DIFF_CLASSES } from '../../log/events/diff-classes.js';
import type { DiffEvidence } from '../types.js';
import { logHits, type LogHit } from '../log-hits.js';
import { change, type ChangeClass } from './class.js';

// Faults and errors in the later boot's log that the earlier boot did not have. Lines are compared as
// messages (no timestamps). A message whose kind was already logged before (the same fault on the same
// device at another address) is shown as recurring, not as a regression: it is not new. Which class a
// line falls in is declared by the log-event row that decodes it (src/log/events, `diff`).

const LOG_CAUSES = [...new Set(LOG_DIFF_CLASSES.map((c) => c.cause).filter((c): c is NonNullable<typeof c> => c !== null))];
const LOG_LAYERS = LAYERS.filter((l) => LOG_DIFF_CLASSES.some((c) => c.layer === l));

const SHOWN = 6;

function evidence(hits: LogHit[], source: string, newer: boolean): DiffEvidence[] {
  const ev: DiffEvidence[] = hits.slice(0, SHOWN).map((h) => ({ what: `line ${h.line}`, before: newer ? null : h.message, after: newer ? h.message : null, source }));
  if (hits.length > SHOWN) ev.push({ what: `and ${hits.length - SHOWN} more`, before: null, after: null, source });
  return ev;
}

/**
 * One group per category and device. Lines of a category that name no device ("DRHD: handling fault
 * status reg 2") go with the first group of that category that does, as they are part of its report.
 */
function byCategoryAndDevice(hits: LogHit[]): LogHit[][] {
  const m = new Map<string, LogHit[]>();
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
    const { a: hitsA, b: hitsB } = logHits(la.lines, lb.lines);
    const kindsA = new Set(hitsA.map((h) => h.kind));
    const kindsB = new Set(hitsB.map((h) => h.kind));
    const fresh = byCategoryAndDevice(hitsB.filter((h) => !h.inOther));
    for (const hits of fresh) {
      const { category } = hits[0]!;
      const device = hits.find((h) => h.device !== null)?.device ?? null;
      const recurring = hits.every((h) => kindsA.has(h.kind));
      const where = device ? ` from ${device}` : '';
      out.add(
        change(`log-new-${category.id}`, category.layer, recurring ? 'neutral' : 'regression', `${recurring ? 'Recurring' : 'New'} ${category.title}${where} in the kernel log (${hits.length} line${hits.length > 1 ? 's' : ''})`, evidence(hits, lb.from, true), {
          subject: device,
          cause: recurring ? null : category.cause,
        }),
      );
    }
    const gone = byCategoryAndDevice(hitsA.filter((h) => !h.inOther && !kindsB.has(h.kind)));
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
