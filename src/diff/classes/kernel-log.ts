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
export function byCategoryAndDevice(hits: LogHit[]): LogHit[][] {
  // Groups in order of their first line; looked up by category, then device ('' for none), so that no
  // key string is built and hashed for every hit (a flood of faults is hundreds of hits).
  const groups: { category: string; device: string; list: LogHit[] }[] = [];
  const index = new Map<string, Map<string, LogHit[]>>();
  for (const h of hits) {
    const device = h.device ?? '';
    let byDevice = index.get(h.category.id);
    if (byDevice === undefined) {
      byDevice = new Map();
      index.set(h.category.id, byDevice);
    }
    const list = byDevice.get(device);
    if (list) list.push(h);
    else {
      const fresh = [h];
      byDevice.set(device, fresh);
      groups.push({ category: h.category.id, device, list: fresh });
    }
  }
  const out: LogHit[][] = [];
  for (const g of groups) {
    if (g.device === '') {
      const home = groups.find((o) => o.category === g.category && o.device !== '');
      if (home) {
        home.list.push(...g.list);
        home.list.sort((x, y) => x.line - y.line);
        continue;
      }
    }
    out.push(g.list);
  }
  return out;
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
    // The later log's kinds are asked about only for the earlier log's messages it lacks: often none.
    const lacking = hitsA.filter((h) => !h.inOther);
    const kindsB = lacking.length > 0 ? new Set(hitsB.map((h) => h.kind)) : null;
    const fresh = byCategoryAndDevice(hitsB.filter((h) => !h.inOther));
    for (const hits of fresh) {
      const { category } = hits[0]!;
      const device = hits.find((h) => h.device !== null)?.device ?? null;
      // An empty set has nothing to match: every() would ask it each kind, and each is a long string to hash.
      const recurring = kindsA.size > 0 && hits.every((h) => kindsA.has(h.kind));
      const where = device ? ` from ${device}` : '';
      out.add(
        change(`log-new-${category.id}`, category.layer, recurring ? 'neutral' : 'regression', `${recurring ? 'Recurring' : 'New'} ${category.title}${where} in the kernel log (${hits.length} line${hits.length > 1 ? 's' : ''})`, evidence(hits, lb.from, true), {
          subject: device,
          cause: recurring ? null : category.cause,
        }),
      );
    }
    const gone = kindsB === null ? [] : byCategoryAndDevice(lacking.filter((h) => !kindsB.has(h.kind)));
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
