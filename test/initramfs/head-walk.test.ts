// The uncompressed head of an image is read synchronously, a megabyte at a time, with a turn of the event
// loop every few reads: an image that is uncompressed cpio throughout is listed whole, and a cancel that
// comes while a long head is read still ends the walk.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { InitramfsError, listInitramfs, readInitramfsFiles } from '../../src/initramfs/index.js';
import { MODE_DIR, MODE_FILE, newcArchive, type MemberSpec } from './support/newc-writer.js';
import { tempDir } from './support/tools.js';

const work = tempDir('head-walk');

/** 24 MiB of uncompressed cpio: members whose data crosses the 1 MiB reads at odd places. */
function longImage(): string {
  const members: MemberSpec[] = [{ name: '.', mode: MODE_DIR }, { name: 'data', mode: MODE_DIR }];
  for (let i = 0; i < 12; i++) {
    members.push({ name: `data/blob-${i}`, mode: MODE_FILE, data: Buffer.alloc(2 * 1024 * 1024 - 3 * i, i) });
  }
  members.push({ name: 'etc', mode: MODE_DIR }, { name: 'etc/last.conf', mode: MODE_FILE, data: 'the end\n' });
  const file = path.join(work, 'long.img');
  writeFileSync(file, newcArchive(members));
  return file;
}

test('an uncompressed image longer than a few reads is listed whole, its last file read', async () => {
  const file = longImage();
  const listing = await listInitramfs(file);
  assert.equal(listing.entries.length, 16);
  assert.deepEqual(listing.segments.map((s) => s.compression), ['none']);
  const files = await readInitramfsFiles(file, ['etc/last.conf']);
  assert.equal(files.get('etc/last.conf')?.toString(), 'the end\n');
});

test('a cancel that comes while a long uncompressed head is read ends the walk', async () => {
  const file = longImage();
  const abort = new AbortController();
  // Queued before the walk starts: it runs at the walk's first turn of the event loop.
  setImmediate(() => abort.abort());
  await assert.rejects(
    readInitramfsFiles(file, ['etc/last.conf'], { signal: abort.signal }),
    (e: unknown) => e instanceof InitramfsError && e.kind === 'cancelled',
  );
});
