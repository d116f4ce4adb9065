// The kernel-log knowledge table: every row is complete, and every example line comes out the same on
// the big-log path (anchor prefilter, then decoder, as collection of a large log does) as on the small-log
// path (decoder on every line), in every prefix style the log reader knows, inside a noisy log.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAYERS } from '../../src/analyze/layers.js';
import { isKnownCause } from '../../src/analyze/causes.js';
import { ANCHORS, anchorTexts, buildAnchors } from '../../src/log/anchors.js';
import { CONTEXT_ANCHORS } from '../../src/log/events/context.js';
import { LOG_DIFF_CLASSES } from '../../src/log/events/diff-classes.js';
import { ruleFor } from '../../src/log/events/engine.js';
import { decodeKnown, decodeLine, decodeLines, RULES, type LogEvent } from '../../src/log/events/index.js';
import { parsePrefix } from '../../src/log/prefix.js';
import { isRelevantLine, scanKernelLog } from '../../src/log/relevant.js';
import { classifyLogLine } from '../../src/paste/recognisers/kernel-log.js';
import type { KernelLogLine } from '../../src/snapshot/types.js';

/** One of each prefix style of src/log/prefix.ts, in front of a bare message. */
const PREFIXES: [string, (message: string, i: number) => string][] = [
  ['plain', (m) => m],
  ['dmesg', (m, i) => `[${String(i).padStart(5, ' ')}.123456] ${m}`],
  ['dmesg -T', (m) => `[Tue Feb  4 10:18:11 2026] ${m}`],
  ['dmesg -H', (m) => `[Feb 4 10:18] ${m}`],
  ['dmesg -d', (m) => `[  +0.000123] ${m}`],
  ['dmesg caller id', (m, i) => `[${String(i).padStart(5, ' ')}.000001] [    T1] ${m}`],
  ['dmesg --time-format=iso', (m) => `2026-02-04T10:18:11,123456+01:00 ${m}`],
  ['dmesg -r', (m, i) => `<4>[${String(i).padStart(5, ' ')}.000002] ${m}`],
  ['dmesg -x', (m, i) => `kern  :warn  : [${String(i).padStart(5, ' ')}.000003] ${m}`],
  ['/dev/kmsg', (m, i) => `4,${i},5678901,-;${m}`],
  // Host names holding anchors: only the message may make a line relevant.
  ['syslog', (m) => `Feb  4 10:18:11 vfio-lab kernel: ${m}`],
  ['journalctl short-iso', (m) => `2026-02-04T10:18:11+0100 iommu-host kernel: ${m}`],
  ['journalctl short-full', (m) => `Tue 2026-02-04 10:18:11 CET pve1 kernel: ${m}`],
  ['journalctl short-unix', (m) => `1738660691.123456 pve1 kernel: ${m}`],
  ['journalctl short-monotonic', (m, i) => `[${String(i).padStart(5, ' ')}.345678] pve1 kernel: ${m}`],
  ['journalctl -o json', (m, i) => JSON.stringify({ MESSAGE: m, _HOSTNAME: 'vfio-lab', SYSLOG_IDENTIFIER: 'kernel', _SOURCE_MONOTONIC_TIMESTAMP: String(i * 1_000_000 + 250_000) })],
];

// Ordinary lines of a busy host, several holding a gated literal ("reset", "BAR ", "probe", "module").
const NOISE: ((r: () => number) => string)[] = [
  (r) => `vmbr0: port ${1 + (r() % 8)}(tap${100 + (r() % 50)}i0) entered forwarding state`,
  (r) => `usb 1-${1 + (r() % 9)}: reset high-speed USB device number ${r() % 30} using xhci_hcd`,
  (r) => `pci 0000:00:1f.${r() % 7}: PME# supported from D0 D3hot D3cold`,
  (r) => `pci 0000:0${r() % 9}:00.0: BAR 0 [mem 0xf${(r() % 0xfff).toString(16).padStart(3, '0')}00000-0xf6ffffff]`,
  () => 'ZFS: Loaded module v2.2.2-pve1, ZFS pool version 5000, ZFS filesystem version 5',
  (r) => `initcall init_module+0x0/0x1000 [snd] returned 0 after ${r() % 90} usecs`,
  (r) => `audit: type=1400 audit(1738660691.${r() % 999}:${r() % 9999}): apparmor="DENIED" operation="open"`,
  (r) => `EXT4-fs (nvme0n1p${1 + (r() % 3)}): mounted filesystem with ordered data mode. Quota mode: none.`,
  (r) => `xhci_hcd 0000:00:14.0: probe of usb device ${r() % 9} deferred`,
  (r) => `e1000e 0000:00:1f.6 eno1: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: ${r() % 2 === 0 ? 'None' : 'Rx/Tx'}`,
];

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s >> 8;
  };
}

const allExamples = (): string[] => RULES.flatMap((r) => [...r.examples]);

/** What must be the same on both paths: everything but where the text came from. */
function essence(e: LogEvent): unknown {
  return { kind: e.kind, family: e.family, severity: e.severity, device: e.device, driver: e.driver, era: e.era, fields: e.fields, signals: e.signals, meaning: e.meaning, line: e.line, lines: e.lines, time: e.time };
}

test('every row is complete: layer, severity, literals, diff class, known cause, examples it decodes itself', () => {
  const diffIds = new Set<string>(LOG_DIFF_CLASSES.map((c) => c.id));
  for (const r of RULES) {
    const name = `${r.kind} (${r.re.source.slice(0, 40)})`;
    assert.ok((LAYERS as readonly string[]).includes(r.layer), `layer of ${name}`);
    if (r.cause !== undefined) assert.ok(isKnownCause(r.cause), `cause ${r.cause} of ${name} is not in analyze/causes.ts`);
    if (typeof r.diff === 'string') assert.ok(diffIds.has(r.diff), `diff class ${r.diff} of ${name}`);
    assert.ok(r.examples.length > 0, `${name} has no example line`);
    for (const ex of r.examples) {
      assert.equal(ruleFor(RULES, ex), r, `example of ${name} is decoded by another row (or none): ${ex}`);
      const text = parsePrefix(ex).text;
      assert.ok([...r.anchors, ...(r.gated ?? [])].some((l) => text.includes(l)), `example of ${name} holds none of its literals: ${ex}`);
    }
  }
});

test('the prefilter anchors are exactly what the table declares, minimised', () => {
  const texts = anchorTexts();
  assert.equal(new Set(texts).size, texts.length, 'no anchor twice');
  // Every declared literal is found by some anchor it contains.
  for (const r of RULES) for (const l of [...r.anchors, ...(r.gated ?? [])]) assert.ok(texts.some((a) => l.includes(a)), `${r.kind}: ${l} has no anchor`);
  for (const c of CONTEXT_ANCHORS) for (const l of c.anchors) assert.ok(texts.some((a) => l.includes(a)), `${c.subject}: ${l} has no anchor`);
  // Only declared literals become anchors, and a gated anchor's rules all declare a literal holding it.
  const declared = new Set([...RULES.flatMap((r) => [...r.anchors, ...(r.gated ?? [])]), ...CONTEXT_ANCHORS.flatMap((c) => c.anchors)]);
  for (const a of ANCHORS) {
    assert.ok(declared.has(a.text), `anchor ${a.text} is declared by no row`);
    for (const r of a.rules ?? []) assert.ok((r.gated ?? []).some((g) => g.includes(a.text)), `${r.kind} does not gate on ${a.text}`);
  }
  assert.throws(() => buildAnchors([{ ...(RULES[0] as (typeof RULES)[number]), anchors: ['BAR'] }], []), /at least 4/);
});

test('context subjects keep their example lines', () => {
  for (const c of CONTEXT_ANCHORS) for (const ex of c.examples) assert.ok(isRelevantLine(ex), `${c.subject}: dropped ${ex}`);
});

test('every example line, in every prefix style, inside a noisy log: the big-log path decodes what the small-log path does', async () => {
  const r = seeded(12);
  const messages = allExamples().map((ex) => parsePrefix(ex).message);
  const lines: KernelLogLine[] = [];
  let n = 0;
  const push = (text: string): void => {
    lines.push({ n: ++n, text });
  };
  for (const [, prefix] of PREFIXES) {
    for (let i = 0; i < messages.length; i++) {
      for (let k = r() % 4; k > 0; k--) push(prefix((NOISE[r() % NOISE.length] as (r: () => number) => string)(r), n));
      // Split messages (pre-4.2 VT-d, AMD-Vi 4.16-5.4) must stay next to their other half: no noise between.
      push(prefix(messages[i] as string, n));
    }
  }
  // The examples as quoted, prefixes and all.
  for (const ex of allExamples()) push(ex);
  for (let k = 0; k < 2000; k++) push((NOISE[r() % NOISE.length] as (r: () => number) => string)(r));

  const small = decodeLines(lines);
  const { lines: kept, stats } = await scanKernelLog(Buffer.from(lines.map((l) => l.text).join('\n') + '\n'), { maxLines: 1_000_000 });
  assert.equal(stats.totalLines, lines.length);
  assert.equal(stats.droppedLines, 0);
  const big = decodeLines(kept);

  const keptNumbers = new Set(kept.map((l) => l.n));
  for (const e of small) for (const ln of e.lines) assert.ok(keptNumbers.has(ln), `dropped by the prefilter: ${(lines[ln - 1] as KernelLogLine).text}`);
  const bigRaw = new Set(big.map((e) => e.lines.join(',')));
  for (const e of small) assert.ok(bigRaw.has(e.lines.join(',')), `decoded differently on the big-log path: ${e.raw}`);
  assert.equal(big.length, small.length);
  for (let i = 0; i < small.length; i++) assert.deepEqual(essence(big[i] as LogEvent), essence(small[i] as LogEvent), (small[i] as LogEvent).raw);
  // Every example line decodes in every style; the noise decodes to nothing.
  for (const l of lines) assert.equal(decodeLine(l.text) !== null, !NOISE_RE.test(l.text), l.text);
});

const NOISE_RE = /vmbr0: port|usb 1-|PME# supported|BAR 0 \[mem 0xf[0-9a-f]+-0xf6ffffff\](?!:)|ZFS: Loaded module|initcall init_module|audit: type=1400|EXT4-fs|probe of usb device|NIC Link is Up/;

test('framebuffer-handover and module-key-rejected lines survive a large log', async () => {
  const r = seeded(99);
  const evidence = [
    '[    4.812345] fb0: switching to amdgpudrmfb from EFI VGA',
    '[    5.061525] Request for unknown module key \'CentOS Linux kernel signing key: e1fdb0e2a7e861a1d1ca80a23dcf0dba3aa4adf5\' err -11',
    '[    5.100000] fb: conflicting fb hw usage inteldrmfb vs EFI VGA - removing generic driver',
  ];
  const rows: string[] = [];
  for (let i = 0; i < 300_000; i++) {
    if (i % 100_000 === 50_000) rows.push(evidence[(i - 50_000) / 100_000] as string);
    rows.push(`[${String(i).padStart(6, ' ')}.000000] ${(NOISE[r() % NOISE.length] as (r: () => number) => string)(r)}`);
  }
  const { lines } = await scanKernelLog(Buffer.from(rows.join('\n')));
  const kinds = decodeLines(lines).map((e) => e.kind);
  assert.deepEqual(kinds, ['fb-handover', 'module-key-rejected', 'fb-handover']);
});

test('the paste recogniser takes every kernel example for a kernel-log line, and no user-space one', () => {
  for (const r of RULES) {
    for (const ex of r.examples) {
      const kind = classifyLogLine(ex)?.kind ?? null;
      if ((r.origin ?? 'kernel') === 'kernel') assert.equal(kind, 'kernel', `${r.kind}: ${ex}`);
      else assert.notEqual(kind, 'kernel', `${r.kind}: ${ex}`);
    }
  }
});

test('the diff class of a line is the one its row declares', () => {
  assert.equal(decodeKnown('vfio-pci 0000:03:00.0: not ready 65535ms after FLR; giving up')?.diff, 'reset-error');
  assert.equal(decodeKnown('Lockdown: modprobe: unsigned module loading is restricted; see man kernel_lockdown.7')?.diff, 'module-error');
  assert.equal(decodeKnown('Lockdown: systemd: hibernation is restricted; see man kernel_lockdown.7')?.diff, null);
  assert.equal(decodeKnown('fb0: switching to amdgpudrmfb from EFI VGA')?.diff, null);
});
