// Images assembled by hand from a small tree with the real cpio tool and the real compressors, the way
// mkinitramfs and the microcode hooks assemble them: an uncompressed early archive, zero padding, a
// compressed main archive. Each listing must equal lsinitramfs on the same image.

import assert from 'node:assert/strict';
import { linkSync, mkdirSync, readdirSync, lstatSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before } from 'node:test';

import {
  InitramfsError,
  listInitramfs,
  readInitramfsFile,
  readInitramfsFiles,
  type InitramfsCompression,
} from '../../src/initramfs/index.js';
import { MODE_DIR, MODE_FILE, MODE_SYMLINK, newcArchive } from './support/newc-writer.js';
import { garbage } from '../pci/config-images.js';
import { compress, cpioCreate, lsinitramfs, missingPrerequisites, run, tempDir, toolTest } from './support/tools.js';

const work = tempDir('handmade');
const tree = path.join(work, 'tree');
const earlyTree = path.join(work, 'early');
const amdTree = path.join(work, 'early-amd');
const overlayTree = path.join(work, 'overlay');

/** Deterministic bytes that do not compress to nothing, so streams span many decoder chunks. */
function noise(length: number, seed: number): Buffer {
  return Buffer.from(garbage(length, seed));
}

const VFIO_CONF = 'options vfio-pci ids=1002:67df,1002:aaf0\nsoftdep amdgpu pre: vfio-pci\n';
const BLACKLIST_CONF = 'blacklist radeon\n';
const MODULE_BYTES = noise(200 * 1024, 7);
const BIG_BYTES = noise(3 * 1024 * 1024 + 5, 11);
const TOOL_BYTES = Buffer.from('#!/bin/sh\necho tool\n');

function write(root: string, rel: string, data: Buffer | string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), data);
}

/** Paths under `root` as `find .` prints them, sorted like mkinitramfs sorts them. */
function findPaths(root: string): string[] {
  const out = ['.'];
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(root, rel)).sort()) {
      const child = rel === '.' ? `./${name}` : `${rel}/${name}`;
      out.push(child);
      if (lstatSync(path.join(root, child)).isDirectory()) walk(child);
    }
  };
  walk('.');
  return out.sort();
}

let mainCpio: Buffer;
let mainCrcCpio: Buffer;
let earlyCpio: Buffer;
let amdCpio: Buffer;
let overlayCpio: Buffer;

const CPIO_READY = ['cpio', 'mkfifo'];

before(async () => {
  // Without cpio every test below is skipped (or failed, under CI) by toolTest; nothing to prepare.
  if (missingPrerequisites(CPIO_READY) !== null) return;
  write(tree, 'etc/modprobe.d/vfio.conf', VFIO_CONF);
  write(tree, 'usr/lib/modprobe.d/blacklist-gpu.conf', BLACKLIST_CONF);
  write(tree, 'usr/lib/modules/6.12.0/kernel/drivers/vfio/pci/vfio-pci.ko', MODULE_BYTES);
  write(tree, 'usr/share/big.bin', BIG_BYTES);
  write(tree, 'usr/bin/tool', TOOL_BYTES);
  linkSync(path.join(tree, 'usr/bin/tool'), path.join(tree, 'usr/bin/tool-hardlink'));
  write(tree, 'name with spaces.txt', 'spaces\n');
  write(tree, 'empty', '');
  symlinkSync('usr/lib', path.join(tree, 'lib'));
  symlinkSync('usr/bin', path.join(tree, 'bin'));
  await run('mkfifo', [path.join(tree, 'run-fifo')]);
  write(earlyTree, 'kernel/x86/microcode/GenuineIntel.bin', 'intel microcode\n');
  write(amdTree, 'kernel/x86/microcode/AuthenticAMD.bin', 'amd microcode\n');
  write(overlayTree, 'etc/overlay.conf', 'added by a second archive\n');

  mainCpio = await cpioCreate(tree, findPaths(tree));
  mainCrcCpio = await cpioCreate(tree, findPaths(tree), 'crc');
  earlyCpio = await cpioCreate(earlyTree, findPaths(earlyTree));
  amdCpio = await cpioCreate(amdTree, findPaths(amdTree));
  overlayCpio = await cpioCreate(overlayTree, findPaths(overlayTree));
});

let imageCounter = 0;
function saveImage(parts: Buffer[]): string {
  const file = path.join(work, `image-${imageCounter++}.img`);
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

function sortedPaths(paths: string[]): string[] {
  return [...paths].sort();
}

async function assertSameAsLsinitramfs(image: string): Promise<void> {
  const listing = await listInitramfs(image);
  assert.deepEqual(sortedPaths(listing.entries.map((e) => e.path)), sortedPaths(await lsinitramfs(image)));
}

const FORMATS: Array<{ format: InitramfsCompression; tool: string }> = [
  { format: 'gzip', tool: 'gzip' },
  { format: 'zstd', tool: 'zstd' },
  { format: 'xz', tool: 'xz' },
  { format: 'lzma', tool: 'xz' },
  { format: 'lz4', tool: 'lz4' },
  { format: 'bzip2', tool: 'bzip2' },
  { format: 'lzo', tool: 'lzop' },
];

toolTest('plain cpio newc archive: one uncompressed segment, same list as lsinitramfs', [...CPIO_READY, 'lsinitramfs'], async () => {
  const image = saveImage([mainCpio]);
  const listing = await listInitramfs(image);
  assert.deepEqual(listing.segments, [{ offset: 0, compression: 'none', entries: listing.entries.length }]);
  assert.equal(listing.size, mainCpio.length);
  await assertSameAsLsinitramfs(image);

  const byPath = new Map(listing.entries.map((e) => [e.path, e]));
  assert.deepEqual(byPath.get('lib'), { path: 'lib', mode: 0o120777, type: 'symlink', size: 7, linkTarget: 'usr/lib', segment: 0 });
  assert.equal(byPath.get('run-fifo')?.type, 'other');
  assert.equal(byPath.get('etc')?.type, 'dir');
  assert.equal(byPath.get('usr/share/big.bin')?.size, BIG_BYTES.length);
  assert.equal(byPath.get('etc/modprobe.d/vfio.conf')?.mode, 0o100644);
  // GNU cpio puts a hard-linked file's data on the last link only.
  assert.deepEqual(
    [byPath.get('usr/bin/tool')?.size, byPath.get('usr/bin/tool-hardlink')?.size].sort(),
    [0, TOOL_BYTES.length],
  );
});

for (const { format, tool } of FORMATS) {
  toolTest(`${format} main archive alone and after an early-microcode archive`, [...CPIO_READY, 'lsinitramfs', tool], async () => {
    const compressed = await compress(format, mainCpio);
    const alone = saveImage([compressed]);
    const aloneListing = await listInitramfs(alone);
    assert.deepEqual(aloneListing.segments, [{ offset: 0, compression: format, entries: aloneListing.entries.length }]);
    await assertSameAsLsinitramfs(alone);

    const combined = saveImage([earlyCpio, compressed]);
    const listing = await listInitramfs(combined);
    assert.deepEqual(
      listing.segments.map((s) => [s.offset, s.compression]),
      [
        [0, 'none'],
        [earlyCpio.length, format],
      ],
    );
    await assertSameAsLsinitramfs(combined);
    assert.deepEqual(
      listing.entries.filter((e) => e.segment === 0).map((e) => e.path),
      ['.', 'kernel', 'kernel/x86', 'kernel/x86/microcode', 'kernel/x86/microcode/GenuineIntel.bin'],
    );
    const files = await readInitramfsFiles(combined, [
      'etc/modprobe.d/vfio.conf',
      'usr/lib/modules/6.12.0/kernel/drivers/vfio/pci/vfio-pci.ko',
      'kernel/x86/microcode/GenuineIntel.bin',
    ]);
    assert.equal(files.get('etc/modprobe.d/vfio.conf')?.toString(), VFIO_CONF);
    assert.ok(files.get('usr/lib/modules/6.12.0/kernel/drivers/vfio/pci/vfio-pci.ko')?.equals(MODULE_BYTES));
    assert.equal(files.get('kernel/x86/microcode/GenuineIntel.bin')?.toString(), 'intel microcode\n');
  });
}

toolTest('two early archives and extra zero padding before the compressed main archive', [...CPIO_READY, 'lsinitramfs', 'gzip', 'zstd'], async () => {
  const padded = saveImage([earlyCpio, Buffer.alloc(4096), amdCpio, Buffer.alloc(64), await compress('zstd', mainCpio)]);
  const listing = await listInitramfs(padded);
  assert.deepEqual(
    listing.segments.map((s) => [s.offset, s.compression]),
    [
      [0, 'none'],
      [earlyCpio.length + 4096, 'none'],
      [earlyCpio.length + 4096 + amdCpio.length + 64, 'zstd'],
    ],
  );
  await assertSameAsLsinitramfs(padded);
  await assertSameAsLsinitramfs(saveImage([earlyCpio, amdCpio, await compress('gzip', mainCpio)]));
});

toolTest('zero padding that is not a multiple of 4 bytes before compressed data is skipped, as the kernel does', [...CPIO_READY, 'lsinitramfs', 'zstd'], async () => {
  // unmkinitramfs steps over padding 4 bytes at a time and cannot list this image, so the expected list
  // is that of the same image without the odd padding.
  const compressed = await compress('zstd', mainCpio);
  const odd = await listInitramfs(saveImage([earlyCpio, Buffer.alloc(6), compressed]));
  assert.equal(odd.segments[1]!.offset, earlyCpio.length + 6);
  assert.deepEqual(
    sortedPaths(odd.entries.map((e) => e.path)),
    sortedPaths(await lsinitramfs(saveImage([earlyCpio, compressed]))),
  );
});

toolTest('crc-format (070702) archives are listed and their checksums verified', [...CPIO_READY, 'lsinitramfs', 'xz'], async () => {
  await assertSameAsLsinitramfs(saveImage([mainCrcCpio]));
  const image = saveImage([earlyCpio, await compress('xz', mainCrcCpio)]);
  await assertSameAsLsinitramfs(image);
  assert.ok((await readInitramfsFile(image, 'usr/share/big.bin', { maxBytes: 4 << 20 }))?.equals(BIG_BYTES));
});

toolTest('several archives in one compressed region are all read, as the kernel unpacks them all', [...CPIO_READY, 'lsinitramfs', 'gzip', 'zstd'], async () => {
  // GNU cpio stops at the first TRAILER!!!, so lsinitramfs shows only the first archive of such a stream;
  // the expected list is lsinitramfs of each archive on its own.
  const expected = sortedPaths([
    ...(await lsinitramfs(saveImage([mainCpio]))),
    ...(await lsinitramfs(saveImage([overlayCpio]))),
  ]);
  const oneStream = saveImage([earlyCpio, await compress('zstd', Buffer.concat([mainCpio, overlayCpio]))]);
  const twoMembers = saveImage([await compress('gzip', mainCpio), await compress('gzip', overlayCpio)]);
  for (const image of [oneStream, twoMembers]) {
    const listing = await listInitramfs(image);
    const fromCompressed = listing.entries.filter((e) => listing.segments[e.segment]!.compression !== 'none');
    assert.deepEqual(sortedPaths(fromCompressed.map((e) => e.path)), expected);
    assert.equal((await readInitramfsFile(image, 'etc/overlay.conf'))?.toString(), 'added by a second archive\n');
  }
});

toolTest('member names are shown as GNU cpio lists them', ['lsinitramfs', 'gzip'], async () => {
  const names = ['.', './init', '/abs/path', '../up/one', 'x/../../y', './..', 'd/./e', '//double', 'dir/', 'plain'];
  const archive = newcArchive(names.map((name) => ({ name, mode: MODE_FILE, data: `${name}\n` })));
  for (const image of [saveImage([archive]), saveImage([await compress('gzip', archive)])]) {
    const listing = await listInitramfs(image);
    assert.deepEqual(
      listing.entries.map((e) => e.path),
      ['.', './init', 'abs/path', 'up/one', 'y', '.', 'd/./e', 'double', 'dir/', 'plain'],
    );
    await assertSameAsLsinitramfs(image);
  }
});

toolTest('reading files: symlinked directories, hard links, size limit, directories, absent paths', [...CPIO_READY, 'zstd'], async () => {
  const image = saveImage([earlyCpio, await compress('zstd', mainCpio)]);
  assert.equal((await readInitramfsFile(image, 'lib/modprobe.d/blacklist-gpu.conf'))?.toString(), BLACKLIST_CONF);
  assert.equal((await readInitramfsFile(image, '/etc/modprobe.d/vfio.conf'))?.toString(), VFIO_CONF);
  for (const name of ['usr/bin/tool', 'usr/bin/tool-hardlink', 'bin/tool']) {
    assert.ok((await readInitramfsFile(image, name))?.equals(TOOL_BYTES), name);
  }
  assert.equal((await readInitramfsFile(image, 'empty'))?.length, 0);
  assert.equal(await readInitramfsFile(image, 'etc/modprobe.d/missing.conf'), null);
  assert.equal(await readInitramfsFile(image, 'lib/modprobe.d/missing.conf'), null);
  await assert.rejects(readInitramfsFile(image, 'usr/share/big.bin'), (error: unknown) => {
    assert.ok(error instanceof InitramfsError);
    assert.equal(error.kind, 'unsuitable-entry');
    assert.match(error.message, /usr\/share\/big\.bin.*3145733 bytes/);
    return true;
  });
  assert.ok((await readInitramfsFile(image, 'usr/share/big.bin', { maxBytes: 4 << 20 }))?.equals(BIG_BYTES));
  await assert.rejects(readInitramfsFile(image, 'etc/modprobe.d'), /is a directory, not a regular file/);

  const selected = await readInitramfsFiles(image, (p) => p.endsWith('.conf'));
  assert.deepEqual([...selected.keys()].sort(), ['etc/modprobe.d/vfio.conf', 'usr/lib/modprobe.d/blacklist-gpu.conf']);
});

toolTest('hard link whose data sits on an earlier member, and a later archive replacing a file', ['zstd'], async () => {
  const first = newcArchive([
    { name: 'etc', mode: MODE_DIR },
    { name: 'etc/data-first', mode: MODE_FILE, ino: 77, nlink: 2, data: 'payload\n' },
    { name: 'etc/second-link', mode: MODE_FILE, ino: 77, nlink: 2 },
    { name: 'etc/replaced.conf', mode: MODE_FILE, data: 'old\n' },
    { name: 'etc/link', mode: MODE_SYMLINK, data: 'replaced.conf' },
  ]);
  const second = newcArchive([{ name: './etc/replaced.conf', mode: MODE_FILE, data: 'new\n' }]);
  const image = saveImage([first, await compress('zstd', second)]);
  assert.equal((await readInitramfsFile(image, 'etc/second-link'))?.toString(), 'payload\n');
  assert.equal((await readInitramfsFile(image, 'etc/replaced.conf'))?.toString(), 'new\n');
  assert.equal((await readInitramfsFile(image, 'etc/link'))?.toString(), 'new\n');
});
