// The decoder looks a line up in an index of the table's literals (src/log/events/engine.ts) instead of
// testing every literal of every row. It must decode exactly what the plain walk of the table does: the
// first row, in table order, one of whose literals the line holds, whose regex matches and whose `when`
// agrees. The plain walk lives here only, as the reference, and both run on every line of the test
// fixtures, of a generated log, of every row's examples and of lines made to trip an index up.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { logChunks } from '../../bench/kernel-log-gen.js';
import { ANCHORS } from '../../src/log/anchors.js';
import { applyRules, buildEvent, ruleFor, type SourceLine } from '../../src/log/events/engine.js';
import { decodeKnown, decodeLine, diffClassOf, RULES, type LogEvent, type Rule } from '../../src/log/events/index.js';
import { parsePrefix, type ParsedLine } from '../../src/log/prefix.js';
import { repoRoot } from '../helpers/paths.js';

/** The table walked row by row, every literal tested with includes(): the decoder before its index. */
function walk(rules: readonly Rule[], parsed: ParsedLine): { rule: Rule; m: RegExpExecArray } | null {
  const ctx = { parsed, text: parsed.text };
  for (const rule of rules) {
    if (![...rule.anchors, ...(rule.gated ?? [])].some((l) => ctx.text.includes(l))) continue;
    rule.re.lastIndex = 0;
    const m = rule.re.exec(ctx.text);
    if (m && (!rule.when || rule.when(m, ctx))) return { rule, m };
  }
  return null;
}

function reference(rules: readonly Rule[], line: SourceLine): LogEvent | null {
  const parsed = parsePrefix(line.text);
  const hit = walk(rules, parsed);
  return hit ? buildEvent(hit.rule, hit.m, { parsed, text: parsed.text }, line, parsed.monotonic) : null;
}

function referenceClass(parsed: ParsedLine): string | null {
  const hit = walk(RULES, parsed);
  if (!hit) return null;
  const { rule, m } = hit;
  if (typeof rule.diff !== 'function') return rule.diff;
  return rule.diff(rule.fields ? rule.fields(m, { parsed, text: parsed.text }) : {});
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function fixtureLines(): string[] {
  const lines: string[] = [];
  for (const file of filesUnder(path.join(repoRoot, 'test', 'fixtures'))) {
    const text = readFileSync(file, 'utf8');
    if (text.includes('\u0000')) continue;
    for (const l of text.split('\n')) if (l.trim() !== '') lines.push(l);
  }
  return lines;
}

function generatedLines(): string[] {
  const lines: string[] = [];
  for (const chunk of logChunks(3 * 1024 * 1024, 7, { deviceShare: 0.05 })) lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
  return lines;
}

/** Lines at the index's edges: literals at the very start and end, overlapping, cut short, next to non-ASCII text. */
function edgeLines(): string[] {
  const literals = [...new Set(RULES.flatMap((r) => [...r.anchors, ...(r.gated ?? [])]))];
  const out: string[] = [];
  for (const l of literals) {
    out.push(l, `${l}x`, `x${l}`, l.slice(0, -1), `é${l}é`, `${l.slice(0, 2)}\u0101${l.slice(3)}`, `${l}${l}`, `[    1.000000] ${l}`);
  }
  for (let i = 0; i + 1 < literals.length; i++) out.push(`${literals[i]} ${literals[i + 1]}`, `${literals[i + 1]}: ${literals[i]}`);
  out.push('', 'x', 'DM', 'DMA', 'DMAR', '\u0144\u0144\u0144', 'D\u00cdMAR');
  return out;
}

function allLines(): string[] {
  const examples = RULES.flatMap((r) => [...r.examples]);
  return [...examples, ...fixtureLines(), ...generatedLines(), ...edgeLines()];
}

test('the indexed decoder decodes every line of the fixtures, a generated log, the examples and edge cases as the plain table walk does', () => {
  const lines = allLines();
  assert.ok(lines.length > 20_000, `only ${lines.length} lines`);
  let decoded = 0;
  let classed = 0;
  for (let n = 0; n < lines.length; n++) {
    const text = lines[n] as string;
    const want = reference(RULES, { n, text });
    assert.deepEqual(decodeLine(text, n), want, text);
    assert.equal(ruleFor(RULES, text), want === null ? null : walk(RULES, parsePrefix(text))?.rule ?? null, text);
    const parsed = parsePrefix(text.trim());
    const cls = referenceClass(parsed);
    assert.equal(diffClassOf(parsed), cls, text);
    assert.equal(decodeKnown(text, n, parsed)?.diff ?? null, cls, text);
    if (want) decoded++;
    if (cls) classed++;
  }
  // The lines exercise the table: many decode, some fall in a diff class.
  assert.ok(decoded > 1000, `${decoded} decoded`);
  assert.ok(classed > 100, `${classed} in a diff class`);
});

test('the prefilter\'s gated tables (a few rows each) decode as the plain walk does', () => {
  const lines = [...RULES.flatMap((r) => [...r.examples]), ...fixtureLines(), ...edgeLines()];
  for (const a of ANCHORS) {
    if (!a.rules) continue;
    for (const text of lines) assert.deepEqual(applyRules(a.rules, { n: 1, text }), reference(a.rules, { n: 1, text }), `${a.text}: ${text}`);
  }
});

test('a table of any shape: literals shorter than two characters, non-ASCII, empty, shared by rows, repeated in a row', () => {
  const base = RULES[0] as Rule;
  const row = (kind: string, anchors: string[], re: RegExp, gated?: string[]): Rule => ({ ...base, kind, anchors, gated, re, when: undefined, fields: undefined, device: () => null, era: undefined, meaning: kind, severityOf: undefined });
  const rules: Rule[] = [
    row('a', ['é'], /é(\d)/),
    row('b', ['ab', 'ab'], /ab(c)/),
    row('c', [], /never/),
    row('d', ['x'], /x+y/),
    row('e', [''], /^zz/),
    row('f', ['abc', 'bcd'], /b/, ['cd']),
    row('g', ['\u0101\u0102'], /\u0101/),
    row('h', ['abcd'], /abcd/),
    row('i', ['ab'], /ab/),
    // Literals of four characters or more whose pair starts no shorter literal: found through the quad bit set, up to the line's end.
    row('j', ['qrst'], /qrst$/),
    row('k', ['mnopq'], /mnopq$/),
    row('l', ['mnp\u0101'], /mnp\u0101$/),
    row('m', ['ghi'], /ghi/),
  ];
  const texts = ['é1', 'abc', 'abd', 'xy', 'xxxy', 'zz top', 'bcd', 'cd b', 'a\u0101\u0102', 'abcd', 'é', '', 'b', 'c', 'qrst', 'a qrst', 'qrs', 'mnopq', 'a mnopq', 'mnop', 'mnopr', 'mnp\u0101', 'a mnp\u0101', 'mnp\u0181', 'ghi', 'a ghi', 'ghij'];
  // The rows above are the ones these texts decode to (a row the index missed would leave them null).
  for (const [text, kind] of [['a qrst', 'j'], ['mnopq', 'k'], ['a mnp\u0101', 'l'], ['a ghi', 'm'], ['ghij', 'm']] as const) assert.equal(applyRules(rules, { n: 0, text })?.kind, kind, text);
  for (const text of texts) assert.deepEqual(applyRules(rules, { n: 0, text }), reference(rules, { n: 0, text }), text);
});
