// The cpio state machine on its own: chunk boundaries anywhere, several archives with zero padding,
// stopping at foreign data, and the name rules shared with GNU cpio.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CpioFormatError, CpioStreamParser, type CpioMember } from '../../src/initramfs/cpio-newc.js';
import { canonicalInitramfsPath, listedMemberName } from '../../src/initramfs/member-names.js';
import { MODE_DIR, MODE_FILE, MODE_SYMLINK, newcArchive } from './support/newc-writer.js';

const first = newcArchive([
  { name: 'kernel/x86/microcode/GenuineIntel.bin', mode: MODE_FILE, data: 'abcdefg' },
  { name: 'lib', mode: MODE_SYMLINK, data: 'usr/lib' },
]);
const second = newcArchive(
  [
    { name: 'etc', mode: MODE_DIR },
    { name: 'etc/x.conf', mode: MODE_FILE, data: 'x=1\n' },
  ],
  'crc',
);

function parseInChunks(
  data: Buffer,
  chunk: number,
  stopAtForeignData: boolean,
): { members: CpioMember[]; contents: Map<string, string>; archives: number[]; stoppedAt: number } {
  const members: CpioMember[] = [];
  const contents = new Map<string, string>();
  const archives: number[] = [];
  let current = '';
  const parser = new CpioStreamParser(
    {
      archiveStart: (_index, offset) => archives.push(offset),
      member: (m) => {
        members.push(m);
        current = '';
        return true;
      },
      data: (_m, piece) => (current += piece.toString()),
      memberEnd: (m) => contents.set(m.name, current),
    },
    { stopAtForeignData, describeOffset: (o) => `offset ${o}` },
  );
  let stoppedAt = -1;
  for (let i = 0; i < data.length && stoppedAt < 0; i += chunk) {
    stoppedAt = parser.write(data.subarray(i, i + chunk));
  }
  if (stoppedAt < 0) parser.end();
  return { members, contents, archives, stoppedAt };
}

test('every chunk size gives the same members, contents and archive offsets', () => {
  const stream = Buffer.concat([first, Buffer.alloc(12), second]);
  const reference = parseInChunks(stream, stream.length, false);
  assert.deepEqual(
    reference.members.map((m) => [m.name, m.format, m.archive, m.linkTarget]),
    [
      ['kernel/x86/microcode/GenuineIntel.bin', 'newc', 0, undefined],
      ['lib', 'newc', 0, 'usr/lib'],
      ['etc', 'crc', 1, undefined],
      ['etc/x.conf', 'crc', 1, undefined],
    ],
  );
  assert.deepEqual(reference.archives, [0, first.length + 12]);
  assert.deepEqual([...reference.contents], [
    ['kernel/x86/microcode/GenuineIntel.bin', 'abcdefg'],
    ['etc/x.conf', 'x=1\n'],
  ]);
  for (const size of [1, 2, 3, 5, 7, 64, 109, 110, 111]) {
    const result = parseInChunks(stream, size, false);
    assert.deepEqual(result.members, reference.members, `chunk size ${size}`);
    assert.deepEqual(result.contents, reference.contents, `chunk size ${size}`);
    assert.deepEqual(result.archives, reference.archives, `chunk size ${size}`);
  }
});

test('in the uncompressed head, the first byte that is not padding or a header ends parsing', () => {
  const stream = Buffer.concat([first, Buffer.alloc(8), Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3])]);
  for (const size of [1, 4, 1000]) {
    const result = parseInChunks(stream, size, true);
    assert.equal(result.stoppedAt, first.length + 8);
    assert.equal(result.members.length, 2);
  }
  // A "0" that is not 4-byte aligned cannot start a header (the kernel requires the alignment).
  const unaligned = Buffer.concat([first, Buffer.alloc(1), Buffer.from('070701')]);
  assert.equal(parseInChunks(unaligned, 4096, true).stoppedAt, first.length + 1);
});

test('the same foreign bytes inside decompressed data are an error', () => {
  const stream = Buffer.concat([first, Buffer.from([0x28, 0xb5, 0x2f, 0xfd])]);
  assert.throws(
    () => parseInChunks(stream, 4096, false),
    (error: unknown) =>
      error instanceof CpioFormatError &&
      error.kind === 'corrupt' &&
      error.offset === first.length &&
      /unexpected byte 0x28 at offset \d+ where a cpio header or zero padding should follow/.test(error.message),
  );
});

test('names: the GNU cpio listing form and the canonical lookup form', () => {
  const cases: Array<[string, string, string]> = [
    ['.', '.', '.'],
    ['./', './', '.'],
    ['./init', './init', 'init'],
    ['/etc/fstab', 'etc/fstab', 'etc/fstab'],
    ['//etc//fstab', 'etc//fstab', 'etc/fstab'],
    ['../../x', 'x', 'x'],
    ['a/../b', 'b', 'b'],
    ['a/..b/c', 'a/..b/c', 'a/..b/c'],
    ['./..', '.', '.'],
    ['usr/./lib/', 'usr/./lib/', 'usr/lib'],
    ['', '.', '.'],
  ];
  for (const [stored, listed, canonical] of cases) {
    assert.equal(listedMemberName(stored), listed, `listed form of ${JSON.stringify(stored)}`);
    assert.equal(canonicalInitramfsPath(stored), canonical, `canonical form of ${JSON.stringify(stored)}`);
  }
});
