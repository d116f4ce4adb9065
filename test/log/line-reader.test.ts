// The line reader: identical lines whatever the chunking, bounded memory for huge lines, binary and
// invalid UTF-8 counted, CRLF, a last line without newline; line counts checked against grep -c.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { readLines, type ReadLine } from '../../src/log/line-reader.js';

const run = promisify(execFile);

async function collect(input: Parameters<typeof readLines>[0], opts = {}): Promise<ReadLine[]> {
  const out: ReadLine[] = [];
  for await (const l of readLines(input, opts)) out.push(l);
  return out;
}

/** A stream that hands out `data` in pieces of the given sizes (cycling). */
function chunked(data: Buffer, sizes: number[]): Readable {
  const parts: Buffer[] = [];
  let i = 0;
  for (let off = 0; off < data.length; i++) {
    const n = sizes[i % sizes.length] as number;
    parts.push(data.subarray(off, off + n));
    off += n;
  }
  return Readable.from(parts);
}

function sample(): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) {
    if (i % 97 === 0) lines.push(`[${i}] long ${'x'.repeat(5000 + i)}`);
    else if (i % 89 === 0) lines.push(`[${i}] crlf line\r`);
    else if (i % 83 === 0) lines.push(`[${i}] ünïcödé ✓ 日本語`);
    else if (i % 79 === 0) lines.push('');
    else lines.push(`[${i}] DMAR: line ${i}`);
  }
  return Buffer.from(lines.join('\n') + '\nlast line without newline', 'utf8');
}

test('the same lines come out whatever the chunk sizes, buffer or stream', async () => {
  const data = sample();
  const ref = await collect(data);
  assert.equal(ref.length, 3001);
  for (const sizes of [[1], [7, 13], [4095, 4096, 4097], [65536], [1 << 20]]) {
    assert.deepEqual(await collect(chunked(data, sizes)), ref, `chunks ${sizes.join(',')}`);
  }
  assert.deepEqual(await collect(data, { chunkBytes: 16384 }), ref);
});

test('line content: CRLF stripped, long lines cut at the limit and marked, numbering 1-based', async () => {
  const lines = await collect(sample());
  const first = lines[0] as ReadLine;
  assert.equal(first.n, 1);
  assert.equal(first.truncated, true);
  assert.equal(Buffer.byteLength(first.text), 4096);
  assert.equal(first.bytes, '[0] long '.length + 5000);
  const crlf = lines[89] as ReadLine;
  assert.equal(crlf.text, '[89] crlf line');
  assert.equal(crlf.bytes, '[89] crlf line'.length);
  assert.equal((lines[83] as ReadLine).text, '[83] ünïcödé ✓ 日本語');
  assert.equal((lines[83] as ReadLine).binary, false);
  assert.equal((lines[79] as ReadLine).text, '');
  assert.equal((lines[3000] as ReadLine).text, 'last line without newline');
});

test('a cut through a multi-byte character does not make a clean line binary', async () => {
  const line = 'é'.repeat(3000); // 6000 bytes: the 4096-byte cut falls inside a character
  const [l] = await collect(Buffer.from(line + '\n'));
  assert.ok(l);
  assert.equal(l.truncated, true);
  assert.equal(l.binary, false);
  assert.ok(!l.text.includes('\ufffd'));
  assert.ok(Buffer.byteLength(l.text) <= 4096);
});

test('NUL bytes and invalid UTF-8 are counted as binary and replaced, without a crash', async () => {
  const data = Buffer.concat([
    Buffer.from('ok\n'),
    Buffer.from([0x44, 0x4d, 0x00, 0x41, 0x52, 0x0a]), // DM\0AR
    Buffer.from([0xff, 0xfe, 0x80, 0x41, 0x0a]), // invalid UTF-8
    Buffer.from([0xc3]), // truncated sequence at the very end
  ]);
  const lines = await collect(data);
  assert.deepEqual(
    lines.map((l) => l.binary),
    [false, true, true, true],
  );
  assert.equal((lines[2] as ReadLine).text, '\ufffd\ufffd\ufffdA');
});

test('a 10 MB single line is never held whole: the kept text is capped, memory stays flat', async () => {
  const piece = Buffer.alloc(64 * 1024, 0x41);
  const total = 10 * 1024 * 1024;
  async function* gen(): AsyncGenerator<Buffer> {
    yield Buffer.from('[1] DMAR: before\n');
    for (let sent = 0; sent < total; sent += piece.length) yield piece;
    yield Buffer.from('\n[2] DMAR: after\n');
  }
  global.gc?.();
  const before = process.memoryUsage();
  const lines = await collect(Readable.from(gen()));
  const after = process.memoryUsage();
  assert.equal(lines.length, 3);
  const big = lines[1] as ReadLine;
  assert.equal(big.truncated, true);
  assert.equal(big.bytes, total);
  assert.equal(big.text.length, 4096);
  assert.equal((lines[2] as ReadLine).text, '[2] DMAR: after');
  // The line is 10 MB; what the reader kept of it is 4 KiB plus its fixed window.
  const grew = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  assert.ok(grew < 8 * 1024 * 1024, `memory grew by ${grew} bytes`);
});

test('line counts agree with grep -c on the same file', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vfio-doctor-lines-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'mixed.log');
  const data = Buffer.concat([sample(), Buffer.from('\n\0\0\0\n\xff\n', 'latin1'), Buffer.alloc(300_000, 0x42), Buffer.from('\nend')]);
  writeFileSync(file, data);
  const { stdout } = await run('grep', ['-a', '-c', '', file], { env: { ...process.env, LC_ALL: 'C' } });
  const lines = await collect(file);
  assert.equal(lines.length, Number(stdout.trim()));
  assert.equal(lines.filter((l) => l.truncated).length, 31 + 1);
});

test('a line of exactly the limit that arrives in a chunk ending at the limit is whole, not truncated', async () => {
  // The reader once cut such a line as a long one, choosing the cut from the unread byte after it: the
  // head then depended on what an earlier chunk had left in the buffer.
  const max = 64;
  const line = Buffer.from('é'.repeat(max / 2));
  for (const next of ['\n', '\nafter\n', 'x\n']) {
    const lines = await collect(Readable.from([Buffer.from('first\n'), line, Buffer.from(next)]), { maxLineBytes: max });
    const l = lines[1] as ReadLine;
    const whole = next.startsWith('\n');
    assert.equal(l.truncated, !whole, JSON.stringify(next));
    assert.equal(l.bytes, whole ? max : max + 1);
    assert.equal(l.text, line.toString('utf8'));
  }
});

test('an empty input has no lines; a lone newline has one empty line', async () => {
  assert.deepEqual(await collect(Buffer.alloc(0)), []);
  const one = await collect(Buffer.from('\n'));
  assert.equal(one.length, 1);
  assert.equal((one[0] as ReadLine).text, '');
});
