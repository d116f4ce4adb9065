// The prefilter's anchors, computed from the kernel-log knowledge table (events/index.ts RULES) and the
// context subjects (events/context.ts) when this module loads. Nothing here is written by hand: to make
// the prefilter keep a line, give the rule that decodes it an anchor.
//
// Every relevant line contains at least one anchor (a literal, case-sensitive). The fast scanner looks
// only for anchors; it never runs a regex on an ordinary line. A *strong* anchor makes the line relevant
// on its own. A *gated* anchor also shows up in noise ("usb 1-4: reset high-speed USB device", "PME#
// supported from D0 D3hot"), so the line is kept only when one of the rules that declare it decodes it.
//
// Anchors are at least 4 bytes long: the scanner's skip distance grows with the shortest anchor.

import { CONTEXT_ANCHORS, type ContextAnchors } from './events/context.js';
import { RULES } from './events/index.js';
import type { Rule } from './events/types.js';

export interface Anchor {
  text: string;
  /** Present for gated anchors: the rules (in table order) one of which must decode the line. */
  rules?: readonly Rule[];
}

export const MIN_ANCHOR_BYTES = 4;

/**
 * The smallest anchor set that keeps the same lines: a literal holding another strong literal adds
 * nothing, and a gated literal holding a shorter gated one hands its rules to it.
 */
export function buildAnchors(rules: readonly Rule[], context: readonly ContextAnchors[]): Anchor[] {
  const strongSet = new Set<string>();
  for (const c of context) for (const a of c.anchors) strongSet.add(checked(a, c.subject));
  for (const r of rules) for (const a of r.anchors) strongSet.add(checked(a, r.kind));
  const strong = [...strongSet].filter((s) => ![...strongSet].some((o) => o !== s && s.includes(o)));

  const owners = new Map<string, Rule[]>();
  for (const r of rules) {
    for (const g of r.gated ?? []) {
      checked(g, r.kind);
      const list = owners.get(g) ?? [];
      if (!list.includes(r)) list.push(r);
      owners.set(g, list);
    }
  }
  const gated = new Map<string, Rule[]>();
  for (const text of [...owners.keys()].sort((x, y) => x.length - y.length)) {
    if (strong.some((s) => text.includes(s))) continue;
    const home = [...gated.keys()].find((g) => text.includes(g));
    if (home !== undefined) (gated.get(home) as Rule[]).push(...(owners.get(text) as Rule[]));
    else gated.set(text, [...(owners.get(text) as Rule[])]);
  }
  const order = new Map(rules.map((r, i) => [r, i]));
  return [
    ...strong.map((text) => ({ text })),
    ...[...gated].map(([text, list]) => ({ text, rules: [...new Set(list)].sort((x, y) => (order.get(x) as number) - (order.get(y) as number)) })),
  ];
}

function checked(literal: string, owner: string): string {
  if (Buffer.byteLength(literal, 'latin1') < MIN_ANCHOR_BYTES || /[^\x20-\x7e]/.test(literal)) {
    throw new Error(`log event table: anchor ${JSON.stringify(literal)} of ${owner} must be at least ${MIN_ANCHOR_BYTES} printable ASCII bytes`);
  }
  return literal;
}

export const ANCHORS: readonly Anchor[] = buildAnchors(RULES, CONTEXT_ANCHORS);

const ANY_ANCHOR = new RegExp(ANCHORS.map((a) => a.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));

/**
 * Whether a line holds any anchor: a line that holds none is decoded by no rule. For callers that see
 * every line of a paste as a string; the collector uses the byte scanner instead.
 */
export function holdsAnchor(text: string): boolean {
  return ANY_ANCHOR.test(text);
}

/** The anchors as a grep -F pattern list: the same first stage, for comparisons in tests and benches. */
export function anchorTexts(): string[] {
  return ANCHORS.map((a) => a.text);
}
