import test from 'node:test';
import assert from 'node:assert/strict';
import { RULES, diffClassOf } from '../../src/log/events/index.js';
import { logDiffClass } from '../../src/log/events/diff-classes.js';
import { parsePrefix, type ParsedLine } from '../../src/log/prefix.js';
import type { KernelLogLine } from '../../src/snapshot/types.js';
import { logHits, mayHaveDiffClass, monotonicStampLength, type LogHit } from '../../src/diff/log-hits.js';
import { messageDevice, messageKind, messageOfParsed } from '../../src/diff/log-lines.js';

// logHits passes over lines without parsing them and parses a line once per text after its dmesg stamp.
// These tests hold it to the plain reading it replaced: every line parsed, each message classed by its
// first line, on logs made of every row's examples printed in the ways a log can print them.

const STAMPS: [string, string, number][] = [
  ['dmesg', '[    1.234567] DMAR: IOMMU enabled', 14],
  ['dmesg, large uptime', '[123456.000001] x', 15],
  ['no space inside', '[1.5]x', 5],
  ['delta (dmesg -d)', '[  +0.000123] x', 0],
  ['wall clock (dmesg -T)', '[Tue Feb  4 10:18:11 2026] x', 0],
  ['caller id', '[    T1] x', 0],
  ['no fraction', '[    1] x', 0],
  ['no digits after the point', '[    1.] x', 0],
  ['not closed', '[    1.5 x', 0],
  ['tab inside', '[\t1.5] x', 0],
  ['not at the start', ' [    1.5] x', 0],
  ['nothing', '', 0],
];

for (const [name, line, length] of STAMPS) {
  test(`monotonic stamp length: ${name}`, () => {
    assert.equal(monotonicStampLength(line), length);
  });
}

const EXAMPLES = [...new Set(RULES.flatMap((r) => r.examples))];

/** Everything of a parsed line but the time it gives. */
function timeless(p: ParsedLine): Omit<ParsedLine, 'monotonic'> {
  const { monotonic: _, ...rest } = p;
  return rest;
}

// What follows a monotonic stamp parses the same whatever its number: the memo keyed on it relies on that.
for (const after of [' ', '', ' pve1 kernel: ', ' [    T1] ', ' [  +0.000100] ']) {
  test(`text after a monotonic stamp parses the same at any time: ${JSON.stringify(after)} + every row's examples`, () => {
    for (const ex of EXAMPLES) {
      const a = parsePrefix(`[    0.000000]${after}${ex}`.trim());
      const b = parsePrefix(`[98765.432100]${after}${ex}`.trim());
      assert.deepEqual(timeless(b), timeless(a), ex);
    }
  });
}

/** A line of every row with a diff class, and the same message spaced otherwise: all pass the prefilter. */
test('every line of a diff class passes the prefilter, however its message is spaced', () => {
  let classed = 0;
  for (const ex of EXAMPLES) {
    if (diffClassOf(parsePrefix(ex)) === null) continue;
    classed++;
    for (const variant of [ex, `[    5.000000] ${ex}`, ex.replace(/ /g, '  '), ex.replace(/ /g, '\t'), `${ex} `, `Feb  4 10:18:11 pve1 kernel: ${ex}`]) {
      assert.ok(mayHaveDiffClass(variant), JSON.stringify(variant));
    }
  }
  assert.ok(classed > 20, `only ${classed} examples have a diff class`);
});

test('lines the prefilter passes over', () => {
  assert.equal(mayHaveDiffClass('[    2.769400] pci 0000:22:00.0: [8086:1521] type 00 class 0x020000 PCIe Endpoint'), false);
  assert.equal(mayHaveDiffClass('[    0.000000] Linux version 6.8.12-4-pve'), false);
  // Journal JSON (escapes decoded) and colour codes (removed) can hide a literal: always parsed.
  assert.equal(mayHaveDiffClass('{"MESSAGE":"nothing here"}'), true);
  assert.equal(mayHaveDiffClass('  {"MESSAGE":"nothing here"}'), true);
  assert.equal(mayHaveDiffClass('\x1b[1mnothing here\x1b[0m'), true);
});

/** The reading logHits replaced: every line parsed, each message classed by its first line. */
function reference(a: readonly KernelLogLine[], b: readonly KernelLogLine[]): { a: LogHit[]; b: LogHit[] } {
  const byText = new Map<string, { message: string; parsed: ParsedLine }>();
  const byMessage = new Map<string, ReturnType<typeof diffClassOf>>();
  const read = (lines: readonly KernelLogLine[]) => {
    const all = new Set<string>();
    const hits: Omit<LogHit, 'inOther'>[] = [];
    for (const l of lines) {
      let e = byText.get(l.text);
      if (e === undefined) {
        const parsed = parsePrefix(l.text.trim());
        e = { message: messageOfParsed(parsed), parsed };
        byText.set(l.text, e);
      }
      if (all.has(e.message)) continue;
      all.add(e.message);
      let id = byMessage.get(e.parsed.message);
      if (id === undefined) {
        id = diffClassOf(e.parsed);
        byMessage.set(e.parsed.message, id);
      }
      if (id) hits.push({ category: logDiffClass(id), message: e.message, kind: messageKind(e.message), device: messageDevice(e.message), line: l.n });
    }
    return { all, hits };
  };
  const ra = read(a);
  const rb = read(b);
  return { a: ra.hits.map((h) => ({ ...h, inOther: rb.all.has(h.message) })), b: rb.hits.map((h) => ({ ...h, inOther: ra.all.has(h.message) })) };
}

/** Ways a log prints a message; some change the message itself (spacing, another device). */
const PRINTINGS: ((m: string, t: number) => string)[] = [
  (m, t) => `[${t.toFixed(6).padStart(12)}] ${m}`,
  (m, t) => `[${t.toFixed(6).padStart(12)}] ${m}`,
  (m) => m,
  (m) => `Feb  4 10:18:11 pve1 kernel: ${m}`,
  (m, t) => `<4>[${t.toFixed(6).padStart(12)}] ${m}`,
  (m, t) => `[${t.toFixed(6).padStart(12)}] ${m.replace(/ /g, '  ')}`,
  (m) => `${m.replace(/ (\S+)$/, '\t$1')} `,
  (m, t) => `[${t.toFixed(6).padStart(12)}] ${m.replace(/0000:0([0-9a-f]):00/, '0000:1$1:00').replace(/\[0([0-9a-f]):00/, '[1$1:00')}`,
  // The message as journalctl -o json escapes it: the literal is only there once decoded.
  (m) => `{"MESSAGE":${JSON.stringify(m).replace(/[A-Z]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)},"_HOSTNAME":"pve1"}`,
  (m) => `\x1b[31m${m.slice(0, 2)}\x1b[0m${m.slice(2)}`,
];

const NOISE = ['pci 0000:22:00.0: [8086:1521] type 00 class 0x020000 PCIe Endpoint', 'Linux version 6.8.12-4-pve (buildd@lcy02)', 'usb 1-1: new high-speed USB device number 2 using xhci_hcd'];

/** A log of `count` lines picked from the examples (and noise) by a small deterministic generator. */
function log(seed: number, count: number): KernelLogLine[] {
  let x = seed;
  const next = (n: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
  const pool = [...EXAMPLES, ...NOISE];
  return Array.from({ length: count }, (_, i) => {
    const message = pool[next(pool.length)] as string;
    const print = PRINTINGS[next(PRINTINGS.length)] as (m: string, t: number) => string;
    return { n: i + 1, text: print(message, i * 0.25 + seed) };
  });
}

for (const [seedA, seedB] of [[1, 2], [3, 3], [5, 8], [13, 21], [34, 55], [89, 144]] as const) {
  test(`logHits finds what reading every line finds: logs ${seedA} and ${seedB}`, () => {
    const a = log(seedA, 400);
    const b = seedA === seedB ? log(seedB, 400).map((l) => ({ ...l, text: l.text.replace(/^\[\s*(\d+)/, (_s, d: string) => `[${String(Number(d) + 7).padStart(5)}`) })) : log(seedB, 400);
    const want = reference(a, b);
    assert.ok(want.a.length > 20 && want.b.length > 20 && want.b.some((h) => h.inOther), 'the logs exercise hits in both logs');
    if (seedA !== seedB) assert.ok(want.b.some((h) => !h.inOther) && want.a.some((h) => !h.inOther), 'and in one log only');
    assert.deepEqual(logHits(a, b), want);
  });
}
