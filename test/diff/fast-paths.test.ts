// The diff's shortcuts against what they replace: messageKind runs two of its patterns only where
// numberEnds says a number ends after their words, messageDevice runs its full-address pattern only
// where mayHoldFullBdf finds two colons three apart, the context matches functions with sameIdentity
// rather than two joined strings (and lists the matched functions for the classes that read every pair),
// each change's id is checked against its class's meta once per id, and the kernel-log class groups hits
// without key strings and builds the later log's kinds only when the earlier log lacks a message.
// The replaced versions live here, as the reference; both run on every row's examples, a generated
// log, lines made around each pattern's edges and random lines built from the patterns' own pieces.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { logChunks } from '../../bench/kernel-log-gen.js';
import { RULES } from '../../src/log/events/index.js';
import { parsePrefix } from '../../src/log/prefix.js';
import { messageDevice, messageKind, messageOfParsed, mayHoldFullBdf, numberEnds } from '../../src/diff/log-lines.js';
import { buildDiffContext, sameIdentity, type DiffContext } from '../../src/diff/context.js';
import { logHits, type LogHit } from '../../src/diff/log-hits.js';
import { byCategoryAndDevice, kernelLog } from '../../src/diff/classes/kernel-log.js';
import { change, type ChangeSink } from '../../src/diff/classes/class.js';
import type { Change } from '../../src/diff/types.js';
import { LOG_DIFF_CLASSES } from '../../src/log/events/diff-classes.js';
import { declaresIdOnce, CHANGE_CLASSES } from '../../src/diff/diff.js';
import { declaresId } from '../../src/analyze/rule.js';
import type { PciDevice, Snapshot } from '../../src/snapshot/types.js';
import { repoRoot } from '../helpers/paths.js';

/** messageKind before numberEnds: every pattern run on a message holding its words. */
function referenceKind(message: string): string {
  let k = message.includes('0x') ? message.replace(/0x[0-9a-fA-F]+/g, '0x#') : message;
  if (k.includes('fault addr') || k.includes('address=') || k.includes('index')) k = k.replace(/\b(fault addr|address=|index) ?[0-9a-fA-F]+\b/g, '$1 #');
  if (k.includes(' callbacks suppressed')) k = k.replace(/\b\d+ callbacks suppressed/g, '# callbacks suppressed');
  if (k.includes('ms')) k = k.replace(/\b\d+ ?ms\b/g, '#ms');
  if (k.includes('status reg ') || k.includes('reason ')) k = k.replace(/\b(status reg|reason) \d+\b/g, '$1 #');
  return k;
}

/** messageDevice before mayHoldFullBdf. */
function referenceDevice(message: string): string | null {
  const f = /\b([0-9a-fA-F]{4}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])\b/.exec(message);
  if (f) return `${f[1]!.toLowerCase()}:${f[2]!.toLowerCase()}:${f[3]!.toLowerCase()}.${f[4]}`;
  const s = /\[(?:0x)?([0-9a-fA-F]{2}):(?:0x)?([0-9a-fA-F]{2})\.([0-7])\]|device=([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])\b/.exec(message);
  if (!s) return null;
  return `0000:${(s[1] ?? s[4]!).toLowerCase()}:${(s[2] ?? s[5]!).toLowerCase()}.${s[3] ?? s[6]!}`;
}

/** Deterministic pseudo-random numbers (the same lines at every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

// The words, numbers and separators the patterns turn on, put together at random.
const PIECES = ['fault addr', 'address=', 'index', 'status reg', 'reason', ' callbacks suppressed', 'ms', '0x', '0X', ' ', ' ', '=', ':', '.', '[', ']', '_', 'x', 'g', 'F', 'a', '0', '7', '12', '0000', 'ff', 'reindex', 'device=', '0b:00.0', '0000:03:00.0', '03:00', 'é', '#', ';', '-'];

function randomLines(count: number): string[] {
  const next = rng(16);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    const n = 1 + Math.floor(next() * 12);
    for (let j = 0; j < n; j++) s += PIECES[Math.floor(next() * PIECES.length)];
    out.push(s);
  }
  return out;
}

/** Each word of the patterns followed by every kind of ending: at the end, before a word or non-word character, spaced once or twice. */
function edgeLines(): string[] {
  const out: string[] = [];
  for (const word of ['fault addr', 'address=', 'index', 'status reg', 'reason', 'fault addr ', 'address= ', 'index ', 'status reg ', 'reason ']) {
    for (const number of ['', '1', '0x1f', '0x#', 'abc', 'ABC', 'fg', '09', '9z', '12_', '12.', '12 ', '12]', ' 12', '  12', 'é']) {
      out.push(`${word}${number}`, `x${word}${number}`, `${word}${number}x`, `${word}${number} ${word}7`, `[${word}${number}]`);
    }
  }
  out.push('', ':', '::', ':ab:', '0000:03:00.0', 'x0000:03:00.0', '0000:03:00.8', 'a:bc:de.1', '1234:56:78.9', 'pci 0000:0G:00.0', '[00:00.0]', '[0x0b:0x00.3]');
  return out;
}

function messages(): string[] {
  const lines: string[] = RULES.flatMap((r) => [...r.examples]);
  for (const chunk of logChunks(1024 * 1024, 11, { deviceShare: 0.2 })) lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
  return [...lines.map((l) => messageOfParsed(parsePrefix(l.trim()))), ...edgeLines(), ...randomLines(50_000)];
}

test('messageKind and messageDevice give what the patterns alone give, on examples, a generated log, edge cases and random lines', () => {
  const all = messages();
  assert.ok(all.length > 55_000, `only ${all.length} messages`);
  let masked = 0;
  let named = 0;
  for (const m of all) {
    const kind = referenceKind(m);
    assert.equal(messageKind(m), kind, m);
    assert.equal(messageDevice(m), referenceDevice(m), m);
    if (kind !== m) masked++;
    if (referenceDevice(m) !== null) named++;
  }
  // The lines exercise the patterns: many are masked, many name a device.
  assert.ok(masked > 5000, `${masked} masked`);
  assert.ok(named > 1000, `${named} name a device`);
});

test('numberEnds: a number ends after the word, or not', () => {
  const rows: [string, string, 0 | 1, boolean, boolean][] = [
    ['fault addr 1f', 'fault addr', 1, true, true],
    ['fault addr1f', 'fault addr', 1, true, true],
    ['fault addr 0x#', 'fault addr', 1, true, false],
    ['fault addr  1f', 'fault addr', 1, true, false],
    ['fault addr 1fg', 'fault addr', 1, true, false],
    ['fault addr 1f]', 'fault addr', 1, true, true],
    ['fault addr x fault addr 2', 'fault addr', 1, true, true],
    ['reason 06]', 'reason ', 0, false, true],
    ['reason 0x#', 'reason ', 0, false, false],
    ['reason 6a', 'reason ', 0, false, false],
    ['reason 6_', 'reason ', 0, false, false],
    ['reason 6', 'reason ', 0, false, true],
    ['no word here 12', 'reason ', 0, false, false],
  ];
  for (const [s, word, spaces, hex, want] of rows) assert.equal(numberEnds(s, word, spaces, hex), want, s);
  // The shortcut would be wrong if it said no where the pattern matches: these must say yes.
  assert.equal(mayHoldFullBdf('vfio-pci 0000:03:00.0: x'), true);
  assert.equal(mayHoldFullBdf('DMAR: [DMA Read] Request device [03:00.0]'), false);
});

function fn(ids: Partial<PciDevice>): PciDevice {
  return { vendorId: '10de', deviceId: '2204', subsystemVendorId: '1458', subsystemDeviceId: '403b', ...ids } as PciDevice;
}

test('sameIdentity is identity(x) === identity(y), fields that join to the same text included', () => {
  const identity = (d: PciDevice) => `${d.vendorId}:${d.deviceId}:${d.subsystemVendorId ?? '-'}:${d.subsystemDeviceId ?? '-'}`;
  const variants: Partial<PciDevice>[] = [
    {},
    { vendorId: '8086' },
    { deviceId: '2205' },
    { subsystemVendorId: null },
    { subsystemDeviceId: null },
    { subsystemVendorId: '-' },
    { subsystemVendorId: null, subsystemDeviceId: null },
    { subsystemVendorId: '-', subsystemDeviceId: '-' },
    { vendorId: '10de:2204', deviceId: '1458' },
    { vendorId: '10de', deviceId: '2204:1458', subsystemVendorId: '403b', subsystemDeviceId: null },
  ];
  let joinedEqual = 0;
  for (const x of variants) {
    for (const y of variants) {
      const want = identity(fn(x)) === identity(fn(y));
      assert.equal(sameIdentity(fn(x), fn(y)), want, `${JSON.stringify(x)} ${JSON.stringify(y)}`);
      if (want && JSON.stringify(x) !== JSON.stringify(y)) joinedEqual++;
    }
  }
  // Rows whose fields differ but join to the same text: the string comparison is still made for them.
  assert.ok(joinedEqual >= 4, `${joinedEqual}`);
});

test('declaresIdOnce answers as declaresId, asked once or many times', () => {
  const ids = ['log-new-dma-fault', 'log-gone-aer', 'log-new-', 'driver-changed', 'driver-changed-x', 'iommu-group-merged', 'dev-node-lost', 'LOG-NEW-X', 'log-new-a/b'];
  for (let round = 0; round < 2; round++) {
    for (const cls of CHANGE_CLASSES) {
      const listed = cls.meta.reports ?? [];
      for (const id of ids) assert.equal(declaresIdOnce(listed, id), declaresId(listed, id), `${cls.meta.id} ${id}`);
    }
  }
});

function fixtureSnapshots(): Snapshot[] {
  const dir = path.join(repoRoot, 'test', 'fixtures', 'vm');
  return fs.readdirSync(dir).map((name) => JSON.parse(fs.readFileSync(path.join(dir, name, 'snapshot.json'), 'utf8')) as Snapshot);
}

/** The same host with one endpoint found at another address (a card moved): a pair matched by identity, not address. */
function withMovedEndpoint(s: Snapshot): Snapshot | null {
  const c = structuredClone(s);
  const d = c.pci.find((x) => !x.classCode.startsWith('06'));
  if (!d) return null;
  d.address = '0000:7f:00.0';
  return c;
}

test('matchedA / matchedB are aToB\'s pairs, in its order, as the functions at those addresses', () => {
  const snaps = fixtureSnapshots();
  const pairs: [Snapshot, Snapshot][] = [];
  for (const a of snaps) for (const b of snaps) pairs.push([a, b]);
  let moved = 0;
  for (const a of snaps) {
    const b = withMovedEndpoint(a);
    if (b) pairs.push([a, b], [b, a]);
  }
  for (const [a, b] of pairs) {
    const ctx = buildDiffContext(a, b);
    assert.deepEqual(
      ctx.matchedA.map((d, i) => [d.address, ctx.matchedB[i]!.address]),
      [...ctx.aToB],
    );
    ctx.matchedA.forEach((d, i) => {
      assert.equal(d, ctx.a.byAddress.get(d.address));
      assert.equal(ctx.matchedB[i], ctx.b.byAddress.get(ctx.aToB.get(d.address)!));
    });
    moved += ctx.moved.length;
  }
  // The pairs hold functions matched at another address, which the list takes after those at the same one.
  assert.ok(moved >= 4, `${moved} moved`);
});

/** byCategoryAndDevice before its index: one map keyed by category and device joined in a string. */
function referenceGroups(hits: LogHit[]): LogHit[][] {
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

/** The kernel-log class's comparison before it skipped the kinds nobody asks about (its code then, verbatim). */
function referenceKernelLog(ctx: DiffContext, out: ChangeSink): void {
  const la = ctx.a.snap.kernelLog!;
  const lb = ctx.b.snap.kernelLog!;
  const SHOWN = 6;
  const evidence = (hits: LogHit[], source: string, newer: boolean) => {
    const ev = hits.slice(0, SHOWN).map((h) => ({ what: `line ${h.line}`, before: newer ? null : h.message, after: newer ? h.message : null, source }));
    if (hits.length > SHOWN) ev.push({ what: `and ${hits.length - SHOWN} more`, before: null, after: null, source });
    return ev;
  };
  const { a: hitsA, b: hitsB } = logHits(la.lines, lb.lines);
  const kindsA = new Set(hitsA.map((h) => h.kind));
  const kindsB = new Set(hitsB.map((h) => h.kind));
  for (const hits of referenceGroups(hitsB.filter((h) => !h.inOther))) {
    const { category } = hits[0]!;
    const device = hits.find((h) => h.device !== null)?.device ?? null;
    const recurring = hits.every((h) => kindsA.has(h.kind));
    const where = device ? ` from ${device}` : '';
    out.add(change(`log-new-${category.id}`, category.layer, recurring ? 'neutral' : 'regression', `${recurring ? 'Recurring' : 'New'} ${category.title}${where} in the kernel log (${hits.length} line${hits.length > 1 ? 's' : ''})`, evidence(hits, lb.from, true), { subject: device, cause: recurring ? null : category.cause }));
  }
  for (const hits of referenceGroups(hitsA.filter((h) => !h.inOther && !kindsB.has(h.kind)))) {
    const { category } = hits[0]!;
    const device = hits.find((h) => h.device !== null)?.device ?? null;
    out.add(change(`log-gone-${category.id}`, category.layer, 'neutral', `${category.title}${device ? ` from ${device}` : ''} no longer in the kernel log`, evidence(hits, la.from, false), { subject: device ? ctx.aToB.get(device) ?? device : null }));
  }
}

/** Lines of every diff class, for several devices and numbers, with a device-less line and lines of no class. */
function logPool(): string[] {
  const pool: string[] = ['DMAR: DRHD: handling fault status reg 2', 'DMAR: DRHD: handling fault status reg 3', 'Linux version 6.8.12-4-pve', 'pci 0000:00:01.0: PME# supported from D0 D3hot'];
  for (const r of RULES) {
    if (r.diff === null) continue;
    for (const e of r.examples) pool.push(e, e.replace(/0000:0[0-9a-f]:/g, '0000:0e:').replace(/\[0[0-9a-f]:/g, '[0e:'), e.replace(/0x[0-9a-f]{4}/g, '0x9abc'));
  }
  return pool;
}

function kernelLogCtx(a: string[], b: string[]): DiffContext {
  const log = (lines: string[], from: string) => ({ lines: lines.map((text, i) => ({ n: i + 1, text: `[ ${(i * 1.5).toFixed(6)}] ${text}` })), from, droppedLines: 0 });
  return {
    a: { snap: { kernelLog: log(a, 'journalctl -k -b -1') } },
    b: { snap: { kernelLog: log(b, 'dmesg') } },
    aToB: new Map([['0000:0e:00.0', '0000:0f:00.0']]),
  } as unknown as DiffContext;
}

test('the kernel-log class reports what its code before the shortcuts reported, on random pairs of logs', () => {
  const pool = logPool();
  const next = rng(7);
  const pick = (n: number) => Array.from({ length: n }, () => pool[Math.floor(next() * pool.length)]!);
  const seen = new Set<string>();
  for (let trial = 0; trial < 400; trial++) {
    // Empty, small and large logs on either side, so that kinds are and are not shared and asked about.
    const sizes = [0, 1, 5, 40];
    const ctx = kernelLogCtx(pick(sizes[trial % 4]!), pick(sizes[Math.floor(trial / 4) % 4]!));
    const got: Change[] = [];
    const want: Change[] = [];
    kernelLog.compare(ctx, { add: (c) => void got.push(c), note: () => undefined });
    referenceKernelLog(ctx, { add: (c) => void want.push(c), note: () => undefined });
    assert.deepEqual(got, want, `trial ${trial}`);
    for (const c of got) seen.add(`${c.id} ${c.kind}`);
  }
  // New, recurring and gone messages all came up.
  for (const id of ['log-new-dma-fault regression', 'log-new-dma-fault neutral', 'log-gone-dma-fault neutral', 'log-new-bar-conflict regression', 'log-gone-aer neutral']) assert.ok(seen.has(id), `${id}: ${[...seen].join(', ')}`);
});

test('byCategoryAndDevice groups as the string-keyed map did, device-less hits joining their category\'s first device', () => {
  const next = rng(3);
  const categories = LOG_DIFF_CLASSES.slice(0, 3);
  for (let trial = 0; trial < 2000; trial++) {
    const hits: LogHit[] = Array.from({ length: Math.floor(next() * 12) }, () => ({
      category: categories[Math.floor(next() * categories.length)]!,
      message: '',
      kind: '',
      device: [null, '0000:01:00.0', '0000:02:00.0'][Math.floor(next() * 3)]!,
      line: Math.floor(next() * 100),
      inOther: false,
    }));
    const id = (groups: LogHit[][]) => groups.map((g) => g.map((h) => hits.indexOf(h)));
    assert.deepEqual(id(byCategoryAndDevice(hits)), id(referenceGroups(hits)), JSON.stringify(hits));
  }
});
