// Judges the messages of the catalogue (catalogue/*.json, listed in docs/messages.md) wherever they were
// seen: the kernel log and the tool messages, collected or pasted. One rule per layer, because a rule
// reports on one layer and a message family proves a failure at the layer its errno points to.
// A line that a dedicated rule already judged with more context is left to that rule (see
// dropJudgedElsewhere), so nothing is reported twice and no line is left unreported.
import { builtinCatalogue } from '../../../catalogue/builtin.js';
import { matchMessage, type CatalogueHit } from '../../../catalogue/match.js';
import type { CatalogueEntry } from '../../../catalogue/types.js';
import type { Snapshot } from '../../../snapshot/types.js';
import type { Evidence, Finding } from '../../finding.js';
import { LAYERS, type Layer } from '../../layers.js';
import type { Rule } from '../../rule.js';

export interface SeenMessage {
  hit: CatalogueHit;
  evidence: Evidence;
}

const cache = new WeakMap<Snapshot, SeenMessage[]>();

/** Every catalogue message in a snapshot, kernel log first, each with the line it stands on. */
export function seenMessages(snap: Snapshot): SeenMessage[] {
  const hit = cache.get(snap);
  if (hit) return hit;
  const out: SeenMessage[] = [];
  const log = snap.kernelLog;
  if (log) {
    for (const l of log.lines) {
      const h = matchMessage(l.text);
      if (h) out.push({ hit: h, evidence: { source: log.from, line: l.n, text: l.text } });
    }
  }
  for (const m of snap.toolMessages) {
    const h = matchMessage(m.text);
    if (h) out.push({ hit: h, evidence: { source: m.source, line: m.line, text: m.text } });
  }
  cache.set(snap, out);
  return out;
}

/** What a hit says: the errno's reading when the entry has one for it, else the entry's own. */
export function reading(h: CatalogueHit): { layer: Layer; cause: string; severity: 'fail' | 'warn' | 'info' } | null {
  if (h.variant) return { layer: h.variant.layer, cause: h.variant.cause, severity: h.variant.severity };
  if (h.entry.harmless !== undefined) return null;
  return { layer: h.entry.layer, cause: h.entry.cause!, severity: h.entry.severity! };
}

function causesOf(entries: readonly CatalogueEntry[], layer: Layer): string[] {
  const causes = new Set<string>();
  for (const e of entries) {
    if (e.harmless === undefined && e.layer === layer) causes.add(e.cause!);
    for (const v of Object.values(e.errno ?? {})) if (v.layer === layer) causes.add(v.cause);
  }
  return [...causes].sort();
}

function shorten(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export const MESSAGE_RULE_PREFIX = 'message-';

function ruleFor(layer: Layer): Rule {
  let causes: string[] | undefined;
  return {
    meta: {
      id: `${MESSAGE_RULE_PREFIX}${layer}`,
      layer,
      // Read from the catalogue when first asked for: loading (and validating) the catalogue at import
      // would cost every command, --version included.
      get causes() {
        return (causes ??= causesOf(builtinCatalogue(), layer));
      },
      title: `Known ${layer} error messages`,
      description: `Known error messages (docs/messages.md) whose reading points at the ${layer} layer: QEMU, libvirt, Proxmox, kernel, modprobe, container runtime, DPDK and module-build lines.`,
    },
    check(ctx, out) {
      // A message repeated word for word (a VM restarted in a loop, a driver retrying), or the same entry
      // printed for the same device with other numbers (a fault at each of 385 addresses), is one finding
      // with its count, first and last line: thousands of findings would bury the verdict and cost
      // memory in proportion to the log.
      const groups = new Map<string, { hit: CatalogueHit; first: Evidence; last: Evidence; count: number; same: boolean }>();
      for (const { hit, evidence } of seenMessages(ctx.snap)) {
        const r = reading(hit);
        if (!r || r.layer !== layer) continue;
        const key = `${hit.entry.id}\u0000${hit.errno ?? ''}\u0000${hit.device ?? ''}`;
        const g = groups.get(key);
        if (g) {
          g.last = evidence;
          g.count++;
          if (g.same && hit.message !== g.hit.message) g.same = false;
        } else groups.set(key, { hit, first: evidence, last: evidence, count: 1, same: true });
      }
      for (const { hit, first, last, count, same } of groups.values()) {
        const r = reading(hit)!;
        const e = hit.entry;
        const errnoWords = hit.variant ? ` With ${hit.errno}: ${hit.variant.meaning}` : '';
        const times = count === 1 ? '' : same ? ` — ${count} times` : ` — ${count} messages of this kind`;
        out.report({
          cause: r.cause,
          severity: r.severity,
          subject: hit.device,
          title: `"${shorten(hit.message, 110)}" (${e.id})${times}`,
          evidence: [first, ...(count > 1 ? [last] : []), { source: e.file, text: `${e.id}: printed by ${e.printedBy}` }],
          decision: `${e.proves}${errnoWords} It does not prove: ${e.notProves} ${e.fix}`,
        });
      }
    },
  };
}

export const MESSAGE_RULES: Rule[] = LAYERS.map(ruleFor);

/**
 * Drops message findings whose line another rule already reported: the dedicated rules (group viability,
 * memlock, D3, DMA faults ...) read the same line with the host's context, which the catalogue cannot.
 * A dedicated finding of a cause about a device also stands for that cause's other messages about the
 * device: 274 faults at 274 addresses are one "274 DMA faults" finding, not 275.
 */
export function dropJudgedElsewhere(findings: Finding[]): Finding[] {
  const key = (e: Evidence) => `${e.source}\u0000${e.line ?? ''}`;
  const about = (f: Finding) => `${f.cause}\u0000${f.subject}`;
  const cited = new Set<string>();
  const judged = new Set<string>();
  for (const f of findings) {
    if (f.id.startsWith(MESSAGE_RULE_PREFIX)) continue;
    for (const e of f.evidence) if (e.line !== undefined) cited.add(key(e));
    if (f.subject !== null) judged.add(about(f));
  }
  return findings.filter(
    (f) => !f.id.startsWith(MESSAGE_RULE_PREFIX) || (!(f.subject !== null && judged.has(about(f))) && !f.evidence.some((e) => e.line !== undefined && cited.has(key(e)))),
  );
}
