// The message catalogue as a table: every entry's example is recognised as its own family behind every
// kind of prefix and when wrapped, and every family either yields a finding or says why it is harmless.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { BUILTIN_CATALOGUE_FILES, builtinCatalogue } from '../../src/catalogue/builtin.js';
import { errnoIn, findEntry, matchMessage, scanLines } from '../../src/catalogue/match.js';
import { normaliseLine } from '../../src/catalogue/normalise.js';
import { validateCatalogue } from '../../src/catalogue/validate.js';
import { readPaste } from '../../src/paste/read-paste.js';
import { analyzeCaptured } from '../../src/paste/targets.js';
import { reading } from '../../src/analyze/rules/messages/catalogue-messages.js';
import { ERRNO } from '../../src/log/tables/errno.js';
import { messagesDoc } from '../../src/catalogue/doc.js';

const entries = builtinCatalogue();

test('every catalogue/*.json file is built in, and the catalogue is large', () => {
  const onDisk = fs.readdirSync(path.join(repoRoot, 'catalogue')).filter((f) => f.endsWith('.json')).map((f) => `catalogue/${f}`).sort();
  assert.deepEqual(BUILTIN_CATALOGUE_FILES.map((f) => f.file).sort(), onDisk);
  assert.ok(entries.length > 100, `${entries.length} families`);
});

// The ways a line reaches us: what each does to the example.
const PREFIXES: [string, (msg: string, kernel: boolean) => string][] = [
  ['dmesg stamp', (m) => `[  123.456789] ${m}`],
  ['syslog header', (m, k) => `Jan 31 09:12:02 pve ${k ? 'kernel' : 'pvedaemon[2211]'}: ${m}`],
  ['journal short-precise', (m, k) => `Jan 31 09:12:02.123456 pve ${k ? 'kernel' : 'libvirtd[1234]'}: ${m}`],
  ['journal short-iso', (m, k) => `2024-01-31T09:12:02+0100 pve ${k ? 'kernel' : 'qemu-system-x86_64[9]'}: ${m}`],
  ['dmesg -T', (m) => `[Tue Feb  4 10:18:11 2026] ${m}`],
  ['ISO stamp in a Markdown quote', (m) => `> 2024-01-31T09:12:02.123456Z ${m}`],
  ['JSON record', (m) => JSON.stringify({ level: 'error', ts: '2024-01-31T09:12:02Z', msg: m })],
  ['inline code', (m) => `\`${m}\``],
];

for (const e of entries) {
  test(`catalogue ${e.id}: the example is recognised behind every prefix`, () => {
    const bare = matchMessage(e.example);
    assert.equal(bare?.entry.id, e.id, `bare example matched ${bare?.entry.id ?? 'nothing'}`);
    for (const [name, wrap] of PREFIXES) {
      const line = wrap(e.example, e.origin === 'kernel');
      assert.equal(matchMessage(line)?.entry.id, e.id, `${name}: ${line}`);
    }
  });

  test(`catalogue ${e.id}: the example wrapped inside its key words by a forum and by a terminal is one message`, () => {
    const stamp = '[  123.456789] ';
    const found = findEntry(normaliseLine(e.example).message)!;
    const key = e.example.indexOf(normaliseLine(e.example).message);
    // Cut inside the words the pattern needs: a wrap elsewhere leaves a whole message on one line.
    const mid = stamp.length + key + Math.floor((found.index + found.end) / 2);
    const text = stamp + e.example;
    const space = text.lastIndexOf(' ', mid);
    const cuts: [string, string[]][] = [['terminal', [text.slice(0, mid), text.slice(mid)]]];
    if (space > stamp.length + key + found.index) cuts.push(['forum', [text.slice(0, space), text.slice(space + 1)]]);
    for (const [name, lines] of cuts) {
      const hits = scanLines(['unrelated line before', ...lines, '[  124.000000] unrelated line after']);
      assert.deepEqual(hits.map((h) => [h.entry.id, h.at, h.span]), [[e.id, 1, 2]], `${name}: ${JSON.stringify(lines)}`);
    }
  });

  test(`catalogue ${e.id}: documented and consistent`, () => {
    assert.ok(e.anchors.some((a) => e.example.toLowerCase().includes(a)), 'the example holds an anchor');
    const found = errnoIn(e.example);
    const h = matchMessage(e.example)!;
    if (found && e.errno?.[found]) assert.deepEqual(reading(h), { layer: e.errno[found].layer, cause: e.errno[found].cause, severity: e.errno[found].severity });
    for (const name of Object.keys(e.errno ?? {})) {
      const text = Object.values(ERRNO).find(([n]) => n === name)![1];
      const variant = matchMessage(`${e.example.replace(/:?\s*\(?[A-Z][a-z]+(?: [a-z/]+)*\)?\.?$/, '')}: ${text}`);
      assert.equal(variant?.errno, name, `${name} read from "${text}"`);
      assert.equal(reading(variant!)?.layer, e.errno![name]!.layer, `${name} changes the layer as the table says`);
    }
  });
}

// No silent evidence: a paste holding only the example yields a finding that cites it, or the entry
// says why the message is harmless.
test('every non-harmless family yields a finding citing its line when pasted alone', async () => {
  const silent: string[] = [];
  for (const e of entries) {
    if (e.harmless !== undefined) continue;
    const { snapshot } = await readPaste([{ name: 'paste.txt', bytes: Buffer.from(`noise before\n${e.example}\n`) }]);
    const r = analyzeCaptured(snapshot);
    if (!r.findings.some((f) => f.evidence.some((ev) => ev.line === 2))) silent.push(`${e.id}: ${r.findings.map((f) => f.id).join(', ') || 'no findings'}`);
  }
  assert.deepEqual(silent, []);
});

// A message repeated word for word is one finding with its count and its first and last line, whatever
// the family: a VM restarting in a loop must not bury the verdict under identical findings.
test('a family repeated word for word is one finding with its count, first and last line', async () => {
  let judged = 0;
  for (const e of entries) {
    if (e.harmless !== undefined) continue;
    const once = analyzeCaptured((await readPaste([{ name: 'p.txt', bytes: Buffer.from(`noise before\n${e.example}\n`) }])).snapshot);
    const own = once.findings.filter((f) => f.id.startsWith('message-') && f.evidence[0]?.line === 2);
    if (own.length !== 1) continue; // judged by a dedicated rule, which has its own tests
    judged++;
    const thrice = analyzeCaptured((await readPaste([{ name: 'p.txt', bytes: Buffer.from(`noise before\n${e.example}\n${e.example}\n${e.example}\n`) }])).snapshot);
    const msgs = thrice.findings.filter((f) => f.id.startsWith('message-'));
    const count = (r: typeof once) => r.findings.filter((f) => f.id.startsWith('message-')).length;
    assert.equal(msgs.length, count(once), `${e.id}: repeated lines made more message findings`);
    const f = msgs.find((x) => x.evidence[0]?.line === 2);
    assert.ok(f, `${e.id}: no finding cites the first line`);
    assert.ok(f.title.endsWith(' — 3 times'), `${e.id}: ${f.title}`);
    assert.deepEqual(f.evidence.filter((ev) => ev.line !== undefined).map((ev) => ev.line), [2, 4], e.id);
  }
  assert.ok(judged > 50, `only ${judged} families are judged by the message rules alone`);
});

// A fault flood prints the same message at a new address every time: word for word it never repeats.
const floods: { name: string; line: (i: number) => string; dedicated: RegExp; messageFindings: number }[] = [
  {
    // The DMAR line names the device without a segment, so the catalogue's hits carry no subject; the
    // dedicated rule cites the first, and the group it opens goes with it.
    name: 'DMAR faults at 40 addresses',
    line: (i) => `[ ${10 + i}.000000] DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x${(0x7f000000 + i * 4096).toString(16)} [fault reason 0x06] PTE Read access is not set`,
    dedicated: /^40 DMA faults logged for 0000:01:00\.0/,
    messageFindings: 0,
  },
  {
    // With the device's full address, the dedicated dma-fault finding about it stands for all of them.
    name: 'AMD-Vi page faults at 40 addresses',
    line: (i) => `[ ${10 + i}.000000] vfio-pci 0000:0b:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000d address=0x${(0x18ac0000 + i * 4096).toString(16)} flags=0x0020]`,
    dedicated: /^40 DMA faults logged for 0000:0b:00\.0/,
    messageFindings: 0,
  },
];
for (const flood of floods) {
  test(`a flood of one message with other numbers each time is not a finding per line: ${flood.name}`, async () => {
    const lines = Array.from({ length: 40 }, (_, i) => flood.line(i));
    const r = analyzeCaptured((await readPaste([{ name: 'p.txt', bytes: Buffer.from(`${lines.join('\n')}\n`) }])).snapshot);
    assert.ok(r.findings.some((f) => flood.dedicated.test(f.title)), r.findings.map((f) => f.title).join('\n'));
    const messages = r.findings.filter((f) => f.id.startsWith('message-'));
    assert.equal(messages.length, flood.messageFindings, messages.map((f) => f.title).join('\n'));
    for (const f of messages) {
      assert.ok(f.title.endsWith(' — 40 messages of this kind'), f.title);
      assert.deepEqual(f.evidence.filter((ev) => ev.line !== undefined).map((ev) => ev.line), [1, 40]);
    }
  });
}

test('a family printed three times with another number each time is one finding "of this kind", first and last line', async () => {
  let judged = 0;
  for (const e of entries) {
    if (e.harmless !== undefined || !/0x[0-9a-fA-F]+/.test(e.example)) continue;
    const once = analyzeCaptured((await readPaste([{ name: 'p.txt', bytes: Buffer.from(`noise before\n${e.example}\n`) }])).snapshot);
    if (once.findings.filter((f) => f.id.startsWith('message-') && f.evidence[0]?.line === 2).length !== 1) continue;
    const variants = ['0x1000', '0x2000', '0x3000'].map((n) => e.example.replace(/0x[0-9a-fA-F]+/, n));
    const r = analyzeCaptured((await readPaste([{ name: 'p.txt', bytes: Buffer.from(`noise before\n${variants.join('\n')}\n`) }])).snapshot);
    const f = r.findings.find((x) => x.id.startsWith('message-') && x.evidence[0]?.line === 2);
    if (!f) continue;
    // Only when all three still read as this family (a number can decide which family matches).
    if (!variants.every((v) => matchMessage(v)?.entry.id === e.id)) continue;
    judged++;
    assert.ok(f.title.endsWith(' — 3 messages of this kind'), `${e.id}: ${f.title}`);
    assert.deepEqual(f.evidence.filter((ev) => ev.line !== undefined).map((ev) => ev.line), [2, 4], e.id);
  }
  assert.ok(judged >= 2, `only ${judged} families with a number are judged by the message rules alone`);
});

test('harmless families say why, and yield no failing finding of their own', async () => {
  for (const e of entries.filter((x) => x.harmless !== undefined)) {
    assert.ok(e.harmless!.length > 20, e.id);
    const { snapshot } = await readPaste([{ name: 'paste.txt', bytes: Buffer.from(`${e.example}\n`) }]);
    const r = analyzeCaptured(snapshot);
    assert.ok(!r.findings.some((f) => f.id.startsWith('message-') && f.evidence[0]?.line === 1), `${e.id} yields a message finding`);
  }
});

test('a broken catalogue file is one clear line naming the file, the entry and the field', () => {
  const bad = [{ file: 'catalogue/x.json', data: [{ ...entries[0], file: undefined, patterns: undefined, match: ['('] }] }];
  assert.throws(() => validateCatalogue(JSON.parse(JSON.stringify(bad))), /^CatalogueError: catalogue\/x\.json: entry 1 \("[a-z-]+"\): match\[0\]: /);
  assert.throws(() => validateCatalogue([{ file: 'catalogue/y.json', data: [{ id: 'x', origin: 'qemu' }] }]), /catalogue\/y\.json: entry 1 \("x"\): "printedBy" must be a non-empty string/);
});

test('docs/messages.md is generated from the catalogue and up to date (npm run docs)', () => {
  const onDisk = fs.readFileSync(path.join(repoRoot, 'docs', 'messages.md'), 'utf8');
  assert.equal(onDisk, messagesDoc(entries), 'docs/messages.md is stale: run "npm run docs"');
});
