// The compact store of a paste's kernel lines: line numbers, files and host names held as runs, the boot
// flag and "kept whole" as bits, lengths in 16 bits with longer ones aside. Whatever the shape of the
// lines, every question about a line must answer what the line said, for all of them and for a capture.
import test from 'node:test';
import assert from 'node:assert/strict';
import { KernelLines } from '../../src/paste/kernel-lines.js';
import type { KernelInputLine } from '../../src/paste/facts.js';
import { captureRanges } from '../../src/paste/captures.js';

const TELLING = 'vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)';
const PLAIN = 'random: crng init done';

function dmesg(n: number, message: string): string {
  return `[ ${(n / 1000).toFixed(6)}] ${message}`;
}

function syslog(host: string, message: string): string {
  return `Jan 31 09:12:02 ${host} kernel: ${message}`;
}

/** Lines of many shapes: gaps in the numbering, two files, two hosts, boots, long and non-ASCII lines. */
function shapes(): KernelInputLine[] {
  const out: KernelInputLine[] = [];
  let n = 1;
  for (let i = 0; i < 40_000; i++) {
    // A gap every 97 lines (another section in between), a new file after 25,000 lines.
    n += i % 97 === 0 ? 5 : 1;
    const file = i < 25_000 ? 'a.txt' : 'b.txt';
    const message = i % 7 === 0 ? TELLING : i % 1_000 === 500 ? 'Linux version 6.8.12-4-pve (build@proxmox) #1 SMP' : `${PLAIN} ${i}`;
    let text = i >= 30_000 && i < 30_100 ? syslog(i % 2 ? 'pve1' : 'pve2', message) : dmesg(i, message);
    if (i === 12_345) text = dmesg(i, `${PLAIN} ${'x'.repeat(70_000)}`);
    if (i === 12_346) text = dmesg(i, `${TELLING} ${'y'.repeat(80_000)}`);
    if (i === 20_000) text = `   ${dmesg(i, `${TELLING} café ✓`)}`;
    out.push({ file, n, text, command: i < 10_000 ? 'dmesg' : null });
  }
  return out;
}

/** The lines the store keeps whole here: those naming a PCI function, and the boot line (an anchor). */
function keptWhole(l: KernelInputLine): boolean {
  return l.text.includes('0000:01:00.0') || l.text.includes('Linux version');
}

/** The log as the scanner reads it: each block copied before the next is asked for (its memory is reused). */
function logOf(lines: KernelLines): string {
  const parts: Buffer[] = [];
  for (const b of lines.logBlocks()) parts.push(Buffer.from(b));
  return Buffer.concat(parts).toString('utf8');
}

test('kernel lines: every line answers what it said, whole and as blanks of its length', () => {
  const input = shapes();
  const lines = new KernelLines();
  for (const l of input) lines.push(l);
  assert.equal(lines.length, input.length);
  for (let i = 0; i < input.length; i++) {
    const l = input[i]!;
    assert.equal(lines.lineNumber(i), l.n, `line number of ${i}`);
    assert.equal(lines.file(i), l.file, `file of ${i}`);
    assert.equal(lines.host(i), i >= 30_000 && i < 30_100 ? (i % 2 ? 'pve1' : 'pve2') : null, `host of ${i}`);
    assert.equal(lines.startsBoot(i), l.text.includes('Linux version'), `boot flag of ${i}`);
  }
  const kept = [...lines.kept()];
  const telling = input.filter(keptWhole);
  assert.deepEqual(kept, telling.map((l) => ({ file: l.file, n: l.n, text: l.text, command: l.command })));
  const log = logOf(lines).split('\n');
  assert.equal(log.length, input.length + 1);
  input.forEach((l, i) => {
    const t = l.text.trim();
    assert.equal(log[i], keptWhole(l) ? t : ' '.repeat(Buffer.byteLength(t)), `log line ${i}`);
  });
  assert.deepEqual(lines.fileNames(), ['a.txt', 'b.txt']);
});

test('kernel lines: a capture is its own lines, in its order', () => {
  const input = shapes();
  const lines = new KernelLines();
  for (const l of input) lines.push(l);
  const captures = captureRanges(lines);
  // Two named hosts: lines without one are a group of their own, and every group splits at its boots.
  const boots = input.filter((l) => l.text.includes('Linux version')).length + 1;
  assert.deepEqual(captures.map((c) => c.label).slice(0, 2), [`lines without a host name, boot 1 of ${boots}`, `lines without a host name, boot 2 of ${boots}`]);
  assert.ok(captures.some((c) => c.label === 'host pve1'));
  assert.equal(captures.reduce((s, c) => s + c.at.length, 0), input.length);
  for (const c of [captures[1]!, captures.find((x) => x.label === 'host pve2')!, captures[captures.length - 1]!]) {
    const part = lines.select(c.at);
    const mine = Array.from(c.at, (i) => input[i]!);
    assert.deepEqual(Array.from({ length: part.length }, (_, k) => part.lineNumber(k)), mine.map((l) => l.n));
    assert.deepEqual([...part.kept()].map((l) => l.n), mine.filter(keptWhole).map((l) => l.n));
    assert.equal(logOf(part).length, mine.reduce((s, l) => s + Buffer.byteLength(l.text.trim()) + 1, 0));
  }
});
