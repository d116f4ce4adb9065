// Runs a table of rules over one parsed line and builds the event. The tables live in the family
// modules; this file only knows how to apply them.

import { parsePrefix, type ParsedLine } from '../prefix.js';
import type { Fields, LogEvent, Rule, RuleContext } from './types.js';

export interface SourceLine {
  n: number;
  text: string;
}

/** Applies the first rule whose literals and regex match. */
export function applyRules(rules: readonly Rule[], line: SourceLine, parsed: ParsedLine = parsePrefix(line.text)): LogEvent | null {
  return decodeWithRule(rules, line, parsed)?.event ?? null;
}

/** The event and the row of the table that decoded it: what the diff and paste derivation look up. */
export function decodeWithRule(rules: readonly Rule[], line: SourceLine, parsed: ParsedLine = parsePrefix(line.text)): { event: LogEvent; rule: Rule } | null {
  const ctx: RuleContext = { parsed, text: parsed.text };
  for (const rule of rules) {
    const m = matchRule(rule, ctx);
    if (m) return { event: buildEvent(rule, m, ctx, line), rule };
  }
  return null;
}

/** The first rule of `rules` that decodes the line, or null: which row of the table a line belongs to. */
export function ruleFor(rules: readonly Rule[], text: string): Rule | null {
  const parsed = parsePrefix(text);
  const ctx: RuleContext = { parsed, text: parsed.text };
  return rules.find((r) => matchRule(r, ctx) !== null) ?? null;
}

// The literals are a cheap test before the regex: most lines hold none of a rule's.
function matchRule(rule: Rule, ctx: RuleContext): RegExpExecArray | null {
  if (!hasLiteral(ctx.text, rule.anchors) && !(rule.gated !== undefined && hasLiteral(ctx.text, rule.gated))) return null;
  rule.re.lastIndex = 0;
  const m = rule.re.exec(ctx.text);
  if (!m || (rule.when && !rule.when(m, ctx))) return null;
  return m;
}

function hasLiteral(text: string, literals: readonly string[]): boolean {
  for (const l of literals) if (text.includes(l)) return true;
  return false;
}

export function buildEvent(rule: Rule, m: RegExpExecArray, ctx: RuleContext, line: SourceLine): LogEvent {
  const fields: Fields = rule.fields ? rule.fields(m, ctx) : {};
  const device = rule.device ? rule.device(m, ctx, fields) : (ctx.parsed.device?.address ?? null);
  const era = typeof rule.era === 'function' ? rule.era(m, ctx) : (rule.era ?? null);
  const meaning = typeof rule.meaning === 'function' ? rule.meaning(fields, ctx, device) : rule.meaning;
  return {
    kind: rule.kind,
    family: rule.family,
    severity: rule.severityOf ? rule.severityOf(fields) : rule.severity,
    device,
    driver: ctx.parsed.device?.driver ?? null,
    era,
    fields,
    signals: rule.signals ? [...rule.signals] : [],
    meaning,
    line: line.n,
    lines: [line.n],
    raw: line.text,
    time: ctx.parsed.monotonic,
  };
}

/** "the device 0000:01:00.0" or "a device", for meanings. */
export function who(device: string | null): string {
  return device ? `device ${device}` : 'a device';
}
