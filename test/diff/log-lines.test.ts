import test from 'node:test';
import assert from 'node:assert/strict';
import { messageDevice, messageKind, messageOf } from '../../src/diff/log-lines.js';

// The same kernel message as each way of reading the log prints it: all must compare equal.
const MESSAGE = 'vfio-pci 0000:0b:00.0: BAR 0: can\'t reserve [mem 0xf0000000-0xf7ffffff 64bit pref]';

const PREFIXES: [string, string][] = [
  ['none', ''],
  ['dmesg', '[   12.345678] '],
  ['dmesg, large uptime', '[123456.000001] '],
  ['dmesg -T', '[Tue Feb  4 10:18:11 2026] '],
  ['dmesg -H', '[Feb 4 10:18] '],
  ['dmesg -d delta', '[  +0.000123] '],
  ['dmesg with caller id', '[    1.234567] [    T1] '],
  ['dmesg -r', '<4>[    1.234567] '],
  ['dmesg -x', 'kern  :warn  : [    1.234567] '],
  ['/dev/kmsg', '4,1234,5678901,-;'],
  ['syslog', 'Feb  4 10:18:11 pve1 kernel: '],
  ['syslog with fraction', 'Feb  4 10:18:11.123456 pve1 kernel: '],
  ['journalctl short-iso', '2026-02-04T10:18:11+0100 pve1 kernel: '],
  ['journalctl short-iso-precise', '2026-02-04T10:18:11.123456+01:00 pve1 kernel: '],
  ['journalctl short-monotonic', '[   12.345678] pve1 kernel: '],
  ['journalctl short-unix', '1738660691.123456 pve1 kernel: '],
  ['journalctl short-full', 'Tue 2026-02-04 10:18:11 CET pve1 kernel: '],
  ['rsyslog ISO', '2026-02-04T10:18:11.123456+01:00 pve1 kernel: [   12.345678] '],
];

for (const [name, prefix] of PREFIXES) {
  test(`log message without its prefix: ${name}`, () => {
    assert.equal(messageOf(prefix + MESSAGE), MESSAGE);
  });
}

test('messages keep what is not a prefix', () => {
  assert.equal(messageOf('[    0.084200] DMAR: IOMMU enabled'), 'DMAR: IOMMU enabled');
  // A bracket that is not a clock stays.
  assert.equal(messageOf('DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x1000'), 'DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x1000');
  assert.equal(messageOf('  spaced   out  '), 'spaced out');
});

const KINDS: [string, string, boolean][] = [
  ['fault addresses differ', 'DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x7f3c0000 [fault reason 0x06] PTE Read access is not set|DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x12340000 [fault reason 0x06] PTE Read access is not set', true],
  ['pre-5.14 decimal reason, no 0x', 'DMAR: [DMA Write] Request device [04:00.0] fault addr 69974000 [fault reason 05] PTE Write access is not set|DMAR: [DMA Write] Request device [04:00.0] fault addr 11110000 [fault reason 05] PTE Write access is not set', true],
  ['AMD-Vi addresses differ', 'AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000d address=0xfd7b4000 flags=0x0020]|AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000e address=0x1000 flags=0x0020]', true],
  ['suppressed counts differ', 'dmar_fault: 12 callbacks suppressed|dmar_fault: 3 callbacks suppressed', true],
  ['FLR delay differs', 'vfio-pci 0000:03:00.0: not ready 1023ms after FLR; waiting|vfio-pci 0000:03:00.0: not ready 2047ms after FLR; waiting', true],
  ['other device', 'DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x1000 [fault reason 0x06] x|DMAR: [DMA Read NO_PASID] Request device [02:00.0] fault addr 0x1000 [fault reason 0x06] x', false],
  ['other reason text', 'DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x1000 [fault reason 0x06] PTE Read access is not set|DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x1000 [fault reason 0x02] Present bit in context entry is clear', false],
];

for (const [name, pair, same] of KINDS) {
  test(`message kind: ${name}`, () => {
    const [a, b] = pair.split('|') as [string, string];
    assert.equal(messageKind(a) === messageKind(b), same, `${messageKind(a)}\n${messageKind(b)}`);
  });
}

const DEVICES: [string, string | null][] = [
  ['vfio-pci 0000:0B:00.0: BAR 0: can\'t reserve', '0000:0b:00.0'],
  ['DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x1000', '0000:01:00.0'],
  ['DMAR: [DMA Write] Request device [0x04:0x00.0] fault addr 0x1000', '0000:04:00.0'],
  ['AMD-Vi: Event logged [IO_PAGE_FAULT device=0b:00.0 domain=0x000d address=0x1 flags=0x0]', '0000:0b:00.0'],
  ['AMD-Vi: Event logged [IO_PAGE_FAULT device=0001:0b:00.0 domain=0x000d address=0x1 flags=0x0]', '0001:0b:00.0'],
  ['DMAR: DRHD: handling fault status reg 2', null],
];

for (const [message, device] of DEVICES) {
  test(`device named by: ${message.slice(0, 50)}`, () => {
    assert.equal(messageDevice(message), device);
  });
}
