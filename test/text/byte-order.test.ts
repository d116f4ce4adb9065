// compareByteOrder against the order the real tools give: Buffer.compare of the UTF-8 bytes (what
// strcmp compares), and sort(1) under LC_ALL=C, the order kmod reads modprobe.d in.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { compareByteOrder, sortedByKey } from '../../src/text/byte-order.js';

const NAMES = [
  'vfio.conf', 'vfio-pci.conf', 'vfio_pci.conf', 'Vfio.conf', 'amd.conf', 'zz-vfio.conf', '10-vfio.conf', '9-vfio.conf',
  'vfio', 'vfio.conf.bak', 'b\u00e4r.conf', 'bar.conf', '\uffff.conf', '\u{1f600}.conf', '\ue000.conf', '', '~.conf',
];

const sign = (n: number) => Math.sign(n);

test('compareByteOrder: the sign Buffer.compare gives the UTF-8 bytes, for every pair', () => {
  for (const a of NAMES) {
    for (const b of NAMES) {
      assert.equal(sign(compareByteOrder(a, b)), Buffer.compare(Buffer.from(a), Buffer.from(b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
  }
});

test('compareByteOrder: file names in the order sort(1) gives under LC_ALL=C', { skip: spawnSync('sort', ['--version']).status === 0 ? false : 'sort(1) not installed' }, () => {
  const names = NAMES.filter((n) => n !== '');
  const sorted = spawnSync('sort', [], { input: names.join('\n') + '\n', encoding: 'utf8', env: { LC_ALL: 'C' } });
  assert.equal(sorted.status, 0);
  assert.deepEqual([...names].sort(compareByteOrder), sorted.stdout.split('\n').filter(Boolean));
});

test('compareByteOrder: where it and localeCompare part ways', () => {
  assert.ok(compareByteOrder('Vfio.conf', 'amd.conf') < 0, 'capitals first');
  assert.ok(compareByteOrder('vfio-pci.conf', 'vfio_pci.conf') < 0, "'-' (2d) before '_' (5f)");
  assert.ok(compareByteOrder('\uffff', '\u{1f600}') < 0, 'a code point beyond U+FFFF after U+FFFF');
  assert.equal(compareByteOrder('same', 'same'), 0);
});

test('sortedByKey: a new object, keys in byte order, values kept', () => {
  const o = { b: 1, B: 2, a: 3 };
  const s = sortedByKey(o);
  assert.deepEqual(Object.keys(s), ['B', 'a', 'b']);
  assert.deepEqual(s, o);
  assert.deepEqual(Object.keys(o), ['b', 'B', 'a']);
});
