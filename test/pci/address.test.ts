// One PCI address type: every spelling the sources use parses to the same address, and the canonical
// form, ordering, slots and segment-less matching are answered in one place.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  comparePciAddresses,
  formatPciAddress,
  fullFunctionAddress,
  functionsOf,
  isFullFunctionAddress,
  nodedevName,
  normalisePciAddress,
  parsePciAddress,
  pciAddressFromAttributes,
  pciAddressFromParts,
  resolveSegment,
  sameFunction,
  slotOf,
} from '../../src/pci/address.js';

// [spelling, where it comes from, canonical form (segment kept unknown), with segment 0 assumed]
const SPELLINGS: [string, string, string, string][] = [
  ['0000:0b:00.0', 'sysfs, lspci -D', '0000:0b:00.0', '0000:0b:00.0'],
  ['0b:00.0', 'lspci, Intel fault lines', '0b:00.0', '0000:0b:00.0'],
  ['0B:00.1', 'upper case from a person', '0b:00.1', '0000:0b:00.1'],
  ['0000:AF:1f.7', 'upper case bus', '0000:af:1f.7', '0000:af:1f.7'],
  ['10000:00:01.0', 'VMD domains are five digits', '10000:00:01.0', '10000:00:01.0'],
  ['[0x04:0x00.0]', 'old AMD-Vi event fields', '04:00.0', '0000:04:00.0'],
  ['[0000:04:00.0]', 'bracketed full address', '0000:04:00.0', '0000:04:00.0'],
  ['0x0000:0x04:0x00.0x1', 'every part with 0x', '0000:04:00.1', '0000:04:00.1'],
  ['4:0.0', 'digits without padding', '04:00.0', '0000:04:00.0'],
  ['  0000:04:00.0 ', 'surrounding blanks', '0000:04:00.0', '0000:04:00.0'],
  ['pci_0000_0b_00_0', 'libvirt node device name', '0000:0b:00.0', '0000:0b:00.0'],
  ['pci_0001_81_1f_3', 'node device on segment 1', '0001:81:1f.3', '0001:81:1f.3'],
];

const NOT_ADDRESSES: [string, string][] = [
  ['', 'empty'],
  ['0000:0b:00', 'a slot, when slots are not asked for'],
  ['0b:00', 'a short slot, when slots are not asked for'],
  ['0000:0b:00.8', 'function 8'],
  ['0000:0b:20.0', 'device 0x20 (5 bits)'],
  ['0000:100:00.0', 'three-digit bus'],
  ['0000:0b:000.0', 'three-digit device'],
  ['0000:0g:00.0', 'not hex'],
  ['pci_0000_0b_00', 'node device name without function'],
  ['10de:1e87', 'a vendor:device id pair'],
  ['0000:0b:00.0:1', 'trailing junk'],
];

test('every spelling parses to its canonical form', () => {
  for (const [text, from, canonical, full] of SPELLINGS) {
    assert.equal(normalisePciAddress(text), canonical, `${text} (${from})`);
    assert.equal(fullFunctionAddress(text), full, `${text} (${from}) with segment 0`);
  }
});

test('what is not a PCI function address is null', () => {
  for (const [text, why] of NOT_ADDRESSES) {
    assert.equal(normalisePciAddress(text), null, `${JSON.stringify(text)}: ${why}`);
    assert.equal(fullFunctionAddress(text), null, `${JSON.stringify(text)}: ${why}`);
  }
});

test('Proxmox slots: a function or a whole slot, segment 0 when unsaid', () => {
  const pve = (t: string) => normalisePciAddress(t, { slot: true, segment: 0 });
  const table: [string, string | null][] = [
    ['0b:00', '0000:0b:00'],
    ['0000:0b:00', '0000:0b:00'],
    ['0b:00.1', '0000:0b:00.1'],
    ['0000:0B:00.1', '0000:0b:00.1'],
    ['0b', null],
    ['0b:00.9', null],
  ];
  for (const [text, want] of table) assert.equal(pve(text), want, text);
  assert.deepEqual(parsePciAddress('0b:00', { slot: true }), { segment: null, bus: 0x0b, device: 0, fn: null });
});

test('libvirt <address> attributes: hex with 0x, decimal without, domain and function default to 0', () => {
  const table: [Record<string, string | undefined>, string | null][] = [
    [{ domain: '0x0000', bus: '0x0b', slot: '0x00', function: '0x1' }, '0000:0b:00.1'],
    [{ bus: '0x0b', slot: '0x00' }, '0000:0b:00.0'],
    [{ domain: '0', bus: '11', slot: '0', function: '1' }, '0000:0b:00.1'],
    [{ domain: '0x0001', bus: '0xAF', slot: '0x1F', function: '0x7' }, '0001:af:1f.7'],
    [{ bus: '0x0b' }, null],
    [{ slot: '0x00' }, null],
    [{ bus: '0x100', slot: '0x00' }, null],
    [{ bus: '0x0b', slot: '0x20' }, null],
    [{ bus: '0x0b', slot: '0x00', function: '0x8' }, null],
    [{ bus: 'zz', slot: '0x00' }, null],
    [{ bus: '0b', slot: '0x00' }, null],
  ];
  for (const [attrs, want] of table) {
    const a = pciAddressFromAttributes(attrs);
    assert.equal(a ? formatPciAddress(a) : null, want, JSON.stringify(attrs));
  }
});

test('log fields: bus, device and function as hex digits or numbers', () => {
  assert.equal(formatPciAddress(pciAddressFromParts('04', '00', '1')!), '04:00.1');
  assert.equal(formatPciAddress(pciAddressFromParts('0x04', '0x1f', '7', '0x0000')!), '0000:04:1f.7');
  assert.equal(formatPciAddress(pciAddressFromParts(4, 0, 1, 0)!), '0000:04:00.1');
  assert.equal(pciAddressFromParts('04', '20', '0'), null);
  assert.equal(pciAddressFromParts('xx', '00', '0'), null);
});

test('node device names round-trip', () => {
  for (const name of ['pci_0000_0b_00_0', 'pci_0001_af_1f_7']) assert.equal(nodedevName(parsePciAddress(name)!), name);
  assert.equal(nodedevName(parsePciAddress('0b:00.1')!), 'pci_0000_0b_00_1');
});

test('the canonical full form is recognised exactly, as sysfs names devices', () => {
  for (const yes of ['0000:0b:00.0', '0001:af:1f.7', '10000:e0:06.0']) assert.ok(isFullFunctionAddress(yes), yes);
  for (const no of ['0b:00.0', '0000:0B:00.0', '0000:0b:00', 'pci0000:00', '0000:0b:00.0 ', '0000:0b:20.0']) assert.ok(!isFullFunctionAddress(no), no);
});

test('slots and the functions of a slot', () => {
  assert.equal(slotOf('0000:0b:00.1'), '0000:0b:00');
  assert.equal(slotOf('0b:00.1'), '0b:00');
  assert.equal(slotOf('0000:0b:00'), '0000:0b:00');
  const host = ['0000:0b:00.3', '0000:0b:00.0', '0000:0b:01.0', '0000:0c:00.0', '0000:0b:00.1'];
  assert.deepEqual(functionsOf('0000:0b:00', host), ['0000:0b:00.0', '0000:0b:00.1', '0000:0b:00.3']);
  assert.deepEqual(functionsOf('0000:0d:00', host), []);
  assert.deepEqual(functionsOf('0000:0b:00.1', host), ['0000:0b:00.1']);
});

test('segment-less addresses match full ones, and resolve when exactly one fits', () => {
  assert.ok(sameFunction('01:00.0', '0000:01:00.0'));
  assert.ok(sameFunction('0000:01:00.0', '01:00.0'));
  assert.ok(!sameFunction('0000:01:00.0', '0001:01:00.0'));
  assert.ok(!sameFunction('01:00.0', '0000:01:00.1'));
  assert.equal(resolveSegment('01:00.0', ['0000:01:00.0', '0000:02:00.0']), '0000:01:00.0');
  assert.equal(resolveSegment('01:00.0', ['0000:01:00.0', '0001:01:00.0']), '01:00.0', 'two segments have it: unresolved');
  assert.equal(resolveSegment('01:00.0', ['0000:01:00.0', '0000:01:00.0']), '0000:01:00.0', 'the same function twice is one');
  assert.equal(resolveSegment('03:00.0', ['0000:01:00.0']), '03:00.0');
  assert.equal(resolveSegment('0001:01:00.0', ['0000:01:00.0']), '0001:01:00.0');
});

test('bus order: segment, bus, device, function, numerically', () => {
  const sorted = ['0000:0b:00', '0000:00:1f.3', '0001:00:00.0', '0000:0b:00.1', '0b:00.0', '0000:0b:00.0', '10000:00:00.0', '0000:0a:1f.0'].sort(comparePciAddresses);
  assert.deepEqual(sorted, ['0b:00.0', '0000:00:1f.3', '0000:0a:1f.0', '0000:0b:00', '0000:0b:00.0', '0000:0b:00.1', '0001:00:00.0', '10000:00:00.0']);
  assert.equal(comparePciAddresses('0000:0b:00.0', '0000:0B:00.0'), 0);
});

test('VMD domains (five hex digits) keep their segment', () => {
  assert.equal(normalisePciAddress('10000:E0:06.0'), '10000:e0:06.0');
  assert.equal(slotOf('10000:e0:06.0'), '10000:e0:06');
  assert.ok(sameFunction('e0:06.0', '10000:e0:06.0'));
  assert.ok(!sameFunction('0000:e0:06.0', '10000:e0:06.0'));
  assert.equal(resolveSegment('e0:06.0', ['10000:e0:06.0']), '10000:e0:06.0');
});

test('comparePciAddresses: canonical spellings compared as text agree with the numeric bus order', () => {
  // The numeric order, written out independently of the function under test.
  const key = (a: string) => {
    const m = /^(?:([0-9a-fA-F]+):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$/.exec(a)!;
    return [m[1] === undefined ? -1 : parseInt(m[1], 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16), Number(m[4])];
  };
  const byKey = (a: string, b: string) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < 4; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    return 0;
  };
  const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
  const all: string[] = [];
  for (const seg of [0, 1, 0xa, 0xffff, 0x10000])
    for (const bus of [0, 9, 0xa, 0x10, 0xff])
      for (const dev of [0, 9, 0xa, 0x10, 0x1f])
        for (const fn of [0, 7]) all.push(`${hex(seg, 4)}:${hex(bus, 2)}:${hex(dev, 2)}.${fn}`);
  // Mixed spellings fall back to parsing: upper case, no segment.
  all.push('0000:0A:00.0', '0a:00.1', '0000:0b:1F.7');
  for (const a of all) for (const b of all) assert.equal(Math.sign(comparePciAddresses(a, b)), Math.sign(byKey(a, b)), `${a} vs ${b}`);
});
