import { LAYERS } from '../../analyze/layers.js';
import { diffClassOf } from '../../log/events/index.js';
import { LOG_DIFF_CLASSES, logDiffClass, type LogDiffClass, type LogDiffClassId } from '../../log/events/diff-classes.js';
import { parsePrefix, type ParsedLine } from '../../log/prefix.js';
import type { Snapshot } from '../../snapshot/types.js';
import type { DiffEvidence } from '../types.js';
import { messageDevice, messageKind, messageOfParsed } from '../log-lines.js';
import { change, type ChangeClass } from './class.js';

// Faults and errors in the later boot's log that the earlier boot did not have. Lines are compared as
// messages (no timestamps). A message whose kind was already logged before (the same fault on the same
// device at another address) is shown as recurring, not as a regression: it is not new. Which class a
// line falls in is declared by the log-event row that decodes it (src/log/events, `diff`).

const LOG_CAUSES = [...new Set(LOG_DIFF_CLASSES.map((c) => c.cause).filter((c): c is NonNullable<typeof c> => c !== null))];
const LOG_LAYERS = LAYERS.filter((l) => LOG_DIFF_CLASSES.some((c) => c.layer === l));

interface Classified {
  category: LogDiffClass;
  message: string;
  kind: string;
  device: string | null;
  line: number;
}

/**
 * What the comparison needs of each distinct line, shared by the two sides: two boots' logs hold mostly the
 * same lines (the same text, or the same message at another time), so each is parsed and classed once.
 * A line's class depends only on its message (what the rows match: parsed.text and the device prefix).
 */
class LineMemo {
  private readonly byText = new Map<string, { message: string; parsed: ParsedLine }>();
  private readonly byMessage = new Map<string, LogDiffClassId | null>();

  line(text: string): { message: string; parsed: ParsedLine } {
    let e = this.byText.get(text);
    if (e === undefined) {
      const parsed = parsePrefix(text.trim());
      e = { message: messageOfParsed(parsed), parsed };
      this.byText.set(text, e);
    }
    return e;
  }

  /** decodeKnown(…)?.diff of the line. */
  classOf(parsed: ParsedLine): LogDiffClassId | null {
    let id = this.byMessage.get(parsed.message);
    if (id === undefined) {
      id = diffClassOf(parsed);
      this.byMessage.set(parsed.message, id);
    }
    return id;
  }
}

function classify(s: Snapshot, memo: LineMemo): { all: Set<string>; kinds: Set<string>; hits: Classified[] } {
  const all = new Set<string>();
  const kinds = new Set<string>();
  const hits: Classified[] = [];
  for (const l of s.kernelLog?.lines ?? []) {
    const { message, parsed } = memo.line(l.text);
    if (all.has(message)) continue;
    all.add(message);
    const id = memo.classOf(parsed);
    if (!id) continue;
    const category = logDiffClass(id);
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
    const memo = new LineMemo();
    const a = classify(ctx.a.snap, memo);
    const b = classify(ctx.b.snap, memo);
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
