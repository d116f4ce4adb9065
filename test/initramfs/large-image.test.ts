// A big image must stream: listing a zstd image that decompresses to 256 MiB keeps the Node process far
// below that size, and still matches lsinitramfs.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';

import { repoRoot } from '../helpers/paths.js';
import { MODE_DIR, MODE_FILE, newcHeader, newcMember, newcTrailer, padTo4After } from './support/newc-writer.js';
import { compressStream, lsinitramfs, tempDir, toolTest } from './support/tools.js';

const FILES = 32;
const FILE_SIZE = 8 * 1024 * 1024 + 3;
const DECOMPRESSED = FILES * FILE_SIZE;

function* bigArchive(): Generator<Buffer> {
  // One shared block, written again and again: the generator itself holds almost nothing.
  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = (i * 31 + (i >> 10)) & 0xff;
  yield newcMember({ name: '.', mode: MODE_DIR });
  yield newcMember({ name: 'usr', mode: MODE_DIR });
  for (let f = 0; f < FILES; f++) {
    yield newcHeader({ name: `usr/blob-${f}.bin`, mode: MODE_FILE, size: FILE_SIZE });
    let left = FILE_SIZE;
    while (left > 0) {
      const n = Math.min(left, block.length);
      yield n === block.length ? block : block.subarray(0, n);
      left -= n;
    }
    yield padTo4After(FILE_SIZE);
  }
  yield newcTrailer();
}

/** Lists the image in a fresh Node process and reports its peak resident memory. */
function listInChild(image: string): Promise<{ entries: number; maxRssBytes: number; bytes: number }> {
  const moduleUrl = new URL(`file://${path.join(repoRoot, 'build', 'src', 'initramfs', 'index.js')}`).href;
  const script = `
    const { listInitramfs } = await import(${JSON.stringify(moduleUrl)});
    const listing = await listInitramfs(process.argv[1]);
    const bytes = listing.entries.reduce((n, e) => n + e.size, 0);
    console.log(JSON.stringify({ entries: listing.entries.length, bytes, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script, image], { timeout: 120_000 }, (error, stdout) =>
      error ? reject(error) : resolve(JSON.parse(stdout)),
    );
  });
}

toolTest('a zstd image that decompresses to 256 MiB is listed in constant memory', ['zstd', 'lsinitramfs'], async () => {
  const image = path.join(tempDir('large'), 'initrd.img-large');
  await compressStream('zstd', bigArchive(), image);
  const result = await listInChild(image);
  assert.equal(result.entries, FILES + 2);
  assert.equal(result.bytes, DECOMPRESSED);
  // A reader that buffered the decompressed stream would need more than DECOMPRESSED bytes.
  assert.ok(
    result.maxRssBytes < 160 * 1024 * 1024,
    `peak RSS ${(result.maxRssBytes / 2 ** 20).toFixed(0)} MiB for ${DECOMPRESSED / 2 ** 20} MiB of cpio`,
  );
  const expected = ['.', 'usr', ...Array.from({ length: FILES }, (_, f) => `usr/blob-${f}.bin`)];
  assert.deepEqual((await lsinitramfs(image)).sort(), expected.sort());
});
