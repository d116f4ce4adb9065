// Reading a child's stdout through one reused buffer (child-output.ts) gives the bytes the plain stream
// gives, in order, whatever the sizes of the child's writes; it stops when asked, keeps what was read
// before anyone asked, and passes on an error thrown by the reader.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import test from 'node:test';

import { takeChildOutput } from '../../src/initramfs/child-output.js';

/** A child writing `total` bytes of a repeatable pattern in writes of `piece` bytes. */
function writer(total: number, piece: number) {
  const script = `
    const total = ${total}, piece = ${piece};
    const buf = Buffer.alloc(piece);
    let at = 0;
    (function next() {
      while (at < total) {
        const n = Math.min(piece, total - at);
        for (let i = 0; i < n; i++) buf[i] = ((at + i) * 7 + ((at + i) >> 9)) & 255;
        at += n;
        if (!process.stdout.write(Buffer.from(buf.subarray(0, n)))) return process.stdout.once('drain', next);
      }
    })();`;
  return spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 60_000 });
}

function expected(total: number): Buffer {
  const b = Buffer.alloc(total);
  for (let i = 0; i < total; i++) b[i] = (i * 7 + (i >> 9)) & 255;
  return b;
}

const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function plainStream(stdout: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stdout) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

for (const [total, piece] of [
  [0, 1],
  [1, 1],
  [5_000, 7],
  [300_000, 65_536],
  [3_000_001, 1_000_000],
  [2_500_000, 4_093],
] as const) {
  test(`${total} bytes written ${piece} at a time: the same bytes as the plain stream`, async () => {
    const plain = await plainStream(writer(total, piece).stdout!);
    const child = writer(total, piece);
    const output = takeChildOutput(child.stdout!);
    assert.ok(output);
    const parts: Buffer[] = [];
    // Each chunk is a view of a reused buffer: copied, as the contract says.
    const stopped = await output.consume((chunk) => (parts.push(Buffer.from(chunk)), false));
    assert.equal(stopped, false);
    const got = Buffer.concat(parts);
    assert.equal(got.length, total);
    assert.equal(digest(got), digest(plain));
    assert.equal(digest(got), digest(expected(total)));
    await new Promise((resolve) => child.once('exit', resolve));
  });
}

test('stops when the reader says so, and the child can be ended then', async () => {
  const child = writer(20_000_000, 65_536);
  const output = takeChildOutput(child.stdout!)!;
  let seen = 0;
  const stopped = await output.consume((chunk) => (seen += chunk.length) >= 1_000_000);
  assert.equal(stopped, true);
  assert.ok(seen >= 1_000_000 && seen < 20_000_000);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  output.destroy();
  await exited;
});

test('what arrives before consume() is asked for is kept, in order', async () => {
  const total = 1_500_000;
  const child = writer(total, 100_000);
  const output = takeChildOutput(child.stdout!)!;
  // Let the event loop read before anyone consumes.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const parts: Buffer[] = [];
  await output.consume((chunk) => (parts.push(Buffer.from(chunk)), false));
  assert.equal(digest(Buffer.concat(parts)), digest(expected(total)));
});

test('an error thrown by the reader rejects consume() with it', async () => {
  const child = writer(5_000_000, 65_536);
  const output = takeChildOutput(child.stdout!)!;
  await assert.rejects(
    output.consume(() => {
      throw new Error('bad header');
    }),
    /bad header/,
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  output.destroy();
  await exited;
});

test('destroy(error) rejects a pending consume() with that error', async () => {
  const child = writer(50_000_000, 65_536);
  const output = takeChildOutput(child.stdout!)!;
  const pending = output.consume(() => false);
  setTimeout(() => output.destroy(new Error('gave up')), 20);
  await assert.rejects(pending, /gave up/);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
});
