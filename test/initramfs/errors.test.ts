// Broken and unexpected input: every case must end in one InitramfsError with a one-line message that
// names the file (and the offset, where there is one), never a crash or a raw stack.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';

import { InitramfsError, listInitramfs, readInitramfsFile, type InitramfsErrorKind } from '../../src/initramfs/index.js';
import { repoRoot } from '../helpers/paths.js';
import { MODE_DIR, MODE_FILE, MODE_SYMLINK, newcArchive, newcMember, newcTrailer } from './support/newc-writer.js';
import { compress, cpioCreate, isRoot, missingPrerequisites, run, tempDir, toolTest } from './support/tools.js';

const work = tempDir('errors');
let counter = 0;
function saveImage(parts: Buffer[]): string {
  const file = path.join(work, `broken-${counter++}.img`);
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

const early = newcArchive([
  { name: 'kernel', mode: MODE_DIR },
  { name: 'kernel/x86/microcode/GenuineIntel.bin', mode: MODE_FILE, data: 'microcode\n' },
]);
const mainMembers = [
  { name: '.', mode: MODE_DIR },
  { name: 'etc', mode: MODE_DIR },
  { name: 'etc/modprobe.d/vfio.conf', mode: MODE_FILE, data: 'options vfio-pci ids=10de:1e87\n' },
  { name: 'usr/lib/big.bin', mode: MODE_FILE, data: Buffer.alloc(300_000, 0x41) },
  { name: 'lib', mode: MODE_SYMLINK, data: 'usr/lib' },
];
const main = newcArchive(mainMembers);

async function expectError(
  promise: Promise<unknown>,
  kind: InitramfsErrorKind | InitramfsErrorKind[],
  file: string,
  pattern: RegExp,
  offset?: number,
): Promise<InitramfsError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof InitramfsError, `expected an InitramfsError, got ${String(caught)}`);
  assert.ok((Array.isArray(kind) ? kind : [kind]).includes(caught.kind), `${caught.kind}: ${caught.message}`);
  assert.equal(caught.file, file);
  assert.ok(caught.message.startsWith(`${file}: `), caught.message);
  assert.ok(!caught.message.includes('\n'), `one line: ${caught.message}`);
  assert.match(caught.message, pattern);
  if (offset !== undefined) assert.equal(caught.offset, offset, caught.message);
  return caught;
}

test('a missing image', async () => {
  const file = path.join(work, 'does-not-exist.img');
  await expectError(listInitramfs(file), 'not-found', file, /no such initramfs image/);
  await expectError(readInitramfsFile(file, 'conf/modules'), 'not-found', file, /no such initramfs image/);
});

test('an empty file', async () => {
  const file = saveImage([]);
  await expectError(listInitramfs(file), 'empty', file, /empty file \(0 bytes\)/, 0);
});

test('a directory', async () => {
  const dir = path.join(work, 'a-directory');
  mkdirSync(dir);
  await expectError(listInitramfs(dir), 'unreadable', dir, /is a directory/);
});

test('a file of zero bytes only', async () => {
  const file = saveImage([Buffer.alloc(4096)]);
  await expectError(listInitramfs(file), 'corrupt', file, /only zero bytes/, 0);
});

test('unknown compression, at the start and after an early archive, names the bytes', async () => {
  const zip = Buffer.from('504b0304140000000800', 'hex');
  const start = saveImage([zip]);
  await expectError(listInitramfs(start), 'unknown-compression', start, /offset 0: first bytes 50 4b 03 04 14 00 00 00/, 0);
  const after = saveImage([early, Buffer.alloc(16), zip]);
  await expectError(
    listInitramfs(after),
    'unknown-compression',
    after,
    new RegExp(`offset ${early.length + 16} \\(after 1 uncompressed cpio archive\\(s\\)\\): first bytes 50 4b`),
    early.length + 16,
  );
});

toolTest('the LZ4 frame format (not the legacy one the kernel reads) is refused with the reason', ['lz4'], async () => {
  const { stdout } = await run('lz4', ['-c'], { input: main });
  const file = saveImage([early, stdout]);
  await expectError(listInitramfs(file), 'unknown-compression', file, /04 22 4d 18.*only unpacks legacy LZ4/, early.length);
});

test('an uncompressed archive cut inside a member', async () => {
  const cut = main.length - 1000;
  const file = saveImage([early, main.subarray(0, cut)]);
  await expectError(
    listInitramfs(file),
    'truncated',
    file,
    /the data ends at offset \d+, inside the member "usr\/lib\/big\.bin" \(header at offset \d+\), after \d+ of its 300000 data bytes/,
    early.length + cut,
  );
});

test('an uncompressed archive cut between members, before its TRAILER!!!', async () => {
  const members = Buffer.concat(mainMembers.slice(0, 3).map((m) => newcMember(m)));
  const file = saveImage([members]);
  await expectError(listInitramfs(file), 'truncated', file, /archive that starts at offset 0 ends at offset \d+ without its TRAILER!!! record/);
});

test('a corrupt cpio header field', async () => {
  const second = newcMember(mainMembers[0]!).length;
  const broken = Buffer.from(main);
  broken.write('zzzzzzzz', second + 54, 'latin1');
  const file = saveImage([broken]);
  await expectError(
    listInitramfs(file),
    'corrupt',
    file,
    new RegExp(`corrupt cpio header at offset ${second}: field c_filesize is "zzzzzzzz", not 8 hex digits`),
    second,
  );
});

test('a header with a wrong magic in the middle of an archive', async () => {
  const second = newcMember(mainMembers[0]!).length;
  const broken = Buffer.from(main);
  broken.write('123456', second, 'latin1');
  const file = saveImage([broken]);
  await expectError(listInitramfs(file), 'corrupt', file, /bad cpio magic "123456" at offset \d+/, second);
});

test('a crc-format member whose data does not match its checksum', async () => {
  const archive = Buffer.concat([
    newcMember({ name: 'etc/file', mode: MODE_FILE, data: 'abc', format: 'crc', checksum: 1 }),
    newcTrailer('crc'),
  ]);
  const file = saveImage([archive]);
  await expectError(listInitramfs(file), 'corrupt', file, /checksum mismatch.*"etc\/file".*header says 00000001, data sums to 00000126/);
});

toolTest('an old-format (odc) archive is refused with the cpio option to use', ['cpio'], async () => {
  const dir = path.join(work, 'odc-tree');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'file'), 'x');
  const file = saveImage([await cpioCreate(dir, ['.', './file'], 'odc')]);
  await expectError(listInitramfs(file), 'corrupt', file, /bad cpio magic "070707".*cpio -H newc/, 0);
});

const COMPRESSED_CASES: Array<{ format: string; tool: string; truncatedKinds: InitramfsErrorKind[] }> = [
  { format: 'gzip', tool: 'gzip', truncatedKinds: ['truncated'] },
  { format: 'zstd', tool: 'zstd', truncatedKinds: ['truncated'] },
  { format: 'xz', tool: 'xz', truncatedKinds: ['truncated'] },
  { format: 'lzma', tool: 'xz', truncatedKinds: ['truncated'] },
  { format: 'bzip2', tool: 'bzip2', truncatedKinds: ['truncated'] },
  { format: 'lz4', tool: 'lz4', truncatedKinds: ['truncated'] },
  // lzop reports a cut stream with a generic message, so it cannot be told apart from other failures.
  { format: 'lzo', tool: 'lzop', truncatedKinds: ['truncated', 'decompressor-failed'] },
];

for (const { format, tool, truncatedKinds } of COMPRESSED_CASES) {
  toolTest(`${format}: a truncated compressed archive, and a corrupt cpio header inside one`, [tool], async () => {
    const compressed = await compress(format, main);
    const truncated = saveImage([early, compressed.subarray(0, Math.floor(compressed.length / 2))]);
    await expectError(
      listInitramfs(truncated),
      truncatedKinds,
      truncated,
      new RegExp(`the ${format} data at offset ${early.length} is (truncated|corrupt)`),
      early.length,
    );

    const second = newcMember(mainMembers[0]!).length;
    const broken = Buffer.from(main);
    broken.write('zzzzzzzz', second + 94, 'latin1');
    const corrupt = saveImage([early, await compress(format, broken)]);
    await expectError(
      listInitramfs(corrupt),
      'corrupt',
      corrupt,
      new RegExp(
        `corrupt cpio header at offset ${second} of the data decompressed from the ${format} region at offset ${early.length}: field c_namesize`,
      ),
      early.length,
    );
  });
}

toolTest('garbage inside a compressed stream is reported by the decompressor, one line', ['zstd', 'xz'], async () => {
  for (const format of ['zstd', 'xz']) {
    const compressed = Buffer.from(await compress(format, main));
    for (let i = 64; i < compressed.length - 64; i += 97) compressed[i] ^= 0x5a;
    const file = saveImage([early, compressed]);
    await expectError(listInitramfs(file), 'decompressor-failed', file, new RegExp(`the ${format} data at offset ${early.length} is corrupt: "`), early.length);
  }
});

toolTest('junk after the last archive inside decompressed data', ['gzip'], async () => {
  const file = saveImage([await compress('gzip', Buffer.concat([main, Buffer.from('JUNK')]))]);
  await expectError(listInitramfs(file), 'corrupt', file, /unexpected byte 0x4a at offset \d+ of the data decompressed from the gzip region at offset 0/, 0);
});

const CHILD_TOOLS = ['zstd', 'xz'];
let images: { zstd: string; xz: string } | undefined;
before(async () => {
  if (missingPrerequisites(CHILD_TOOLS) !== null) return;
  images = {
    zstd: saveImage([early, await compress('zstd', main)]),
    xz: saveImage([early, await compress('xz', main)]),
  };
});

/** Runs listInitramfs in a child process (other PATH, other user) and returns what it caught. */
function listInChild(
  image: string,
  options: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number },
): Promise<{ kind: string; message: string; offset: number }> {
  const moduleUrl = new URL(`file://${path.join(repoRoot, 'build', 'src', 'initramfs', 'index.js')}`).href;
  const script = `
    const { listInitramfs } = await import(${JSON.stringify(moduleUrl)});
    try { await listInitramfs(process.argv[1]); console.log(JSON.stringify({ kind: 'none' })); }
    catch (e) { console.log(JSON.stringify({ kind: e.kind, message: e.message, offset: e.offset })); }`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script, image],
      { ...options, timeout: 60_000 },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))),
    );
  });
}

function listWithoutTools(image: string): ReturnType<typeof listInChild> {
  const emptyBin = path.join(work, 'empty-bin');
  mkdirSync(emptyBin, { recursive: true });
  return listInChild(image, { env: { PATH: emptyBin } });
}

toolTest('a missing decompressor names the command and the package', CHILD_TOOLS, async () => {
  const zstd = await listWithoutTools(images!.zstd);
  assert.equal(zstd.kind, 'decompressor-missing');
  assert.equal(zstd.offset, early.length);
  assert.equal(
    zstd.message,
    `${images!.zstd}: cannot read the zstd data at offset ${early.length}: the command "zstd" is not installed (Debian/Ubuntu package zstd)`,
  );
  const xz = await listWithoutTools(images!.xz);
  assert.equal(xz.kind, 'decompressor-missing');
  assert.match(xz.message, /the command "xz" is not installed \(Debian\/Ubuntu package xz-utils; xz on Fedora\/Arch\)$/);
});

toolTest('the time limit ends a read with a timeout error, killing the decompressor', CHILD_TOOLS, async () => {
  await expectError(listInitramfs(images!.zstd, { timeoutMs: 1 }), 'timeout', images!.zstd, /gave up after 1 ms while/);
  // The same image reads fine with the default limit afterwards: nothing was left half-open.
  assert.equal((await listInitramfs(images!.zstd)).entries.length, 7);
});

test('reading inside the image: a symlink loop and a non-file are errors, an absent path is null', async () => {
  const file = saveImage([
    newcArchive([
      { name: 'a', mode: MODE_SYMLINK, data: 'b' },
      { name: 'b', mode: MODE_SYMLINK, data: 'a' },
      { name: 'dev', mode: MODE_DIR },
      { name: 'dev/console', mode: 0o020600 },
    ]),
  ]);
  await expectError(readInitramfsFile(file, 'a/x'), 'unsuitable-entry', file, /"a\/x" inside the image is a symlink loop/);
  await expectError(readInitramfsFile(file, 'dev/console'), 'unsuitable-entry', file, /"dev\/console" inside the image is a device, FIFO or socket, not a regular file/);
  assert.equal(await readInitramfsFile(file, 'etc/none'), null);
});

test('an image the user may not read (a root-only file, read as nobody)', { skip: isRoot() ? false : 'needs root to switch to an unprivileged user' }, async () => {
  const file = saveImage([early]);
  chmodSync(work, 0o755);
  chmodSync(file, 0o600);
  const caught = await listInChild(file, { uid: 65534, gid: 65534, env: { PATH: process.env.PATH } });
  assert.equal(caught.kind, 'unreadable');
  assert.equal(caught.message, `${file}: cannot read the initramfs image: EACCES`);
});

test('a cpio header at an offset that is not a multiple of 4 is named as such', async () => {
  const file = saveImage([early, Buffer.alloc(2), early]);
  await expectError(listInitramfs(file), 'unknown-compression', file, /offset \d+ .*first bytes 30 37 30 37 30 31.*not a multiple of 4/, early.length + 2);
});

toolTest('compressed data that is not a cpio archive (an old-style initrd)', ['gzip'], async () => {
  const file = saveImage([await compress('gzip', Buffer.alloc(2048, 0xef))]);
  await expectError(listInitramfs(file), 'corrupt', file, /no cpio archive: byte 0xef at offset 0 of the data decompressed from the gzip region at offset 0/, 0);
});
