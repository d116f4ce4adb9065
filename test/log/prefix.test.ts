// Prefix parsing for every input format, and the same message decoding identically whatever the format.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headerLength, parsePrefix } from '../../src/log/prefix.js';
import { decodeLine } from '../../src/log/events/index.js';

const MSG = "vfio-pci 0000:c3:00.0: BAR 0: can't reserve [mem 0x2800000000-0x2fffffffff 64bit pref]";
const TEXT = "BAR 0: can't reserve [mem 0x2800000000-0x2fffffffff 64bit pref]";

interface Case {
  name: string;
  line: string;
  format: string;
  monotonic?: number | null;
  wallclock?: string | null;
  host?: string | null;
  ident?: string | null;
  level?: number | null;
}

const json = JSON.stringify({
  __CURSOR: 's=abc',
  __REALTIME_TIMESTAMP: '1738664291123456',
  __MONOTONIC_TIMESTAMP: '12345678',
  _SOURCE_MONOTONIC_TIMESTAMP: '11234567',
  PRIORITY: '4',
  SYSLOG_IDENTIFIER: 'kernel',
  _HOSTNAME: 'pve1',
  MESSAGE: MSG,
  _KERNEL_DEVICE: '+pci:0000:c3:00.0',
});

const CASES: Case[] = [
  { name: 'plain (dmesg -t)', line: MSG, format: 'plain', monotonic: null },
  { name: 'dmesg', line: `[  123.456789] ${MSG}`, format: 'dmesg', monotonic: 123.456789 },
  { name: 'dmesg, large stamp', line: `[12345678.000001] ${MSG}`, format: 'dmesg', monotonic: 12345678.000001 },
  { name: 'dmesg -T', line: `[Tue Feb  4 10:18:11 2026] ${MSG}`, format: 'dmesg-ctime', wallclock: 'Tue Feb  4 10:18:11 2026' },
  { name: 'dmesg -T, single-space day', line: `[Tue Feb 4 10:18:11 2026] ${MSG}`, format: 'dmesg-ctime', wallclock: 'Tue Feb 4 10:18:11 2026' },
  { name: 'dmesg -H', line: `[Feb 4 10:18] ${MSG}`, format: 'dmesg-ctime', wallclock: 'Feb 4 10:18' },
  { name: 'dmesg -H delta', line: `[  +0.000123] ${MSG}`, format: 'dmesg', monotonic: null },
  { name: 'dmesg -d', line: `[  123.456789 <    0.000123>] ${MSG}`, format: 'dmesg', monotonic: 123.456789 },
  { name: 'dmesg -r', line: `<4>[  123.456789] ${MSG}`, format: 'dmesg-raw', level: 4, monotonic: 123.456789 },
  { name: 'dmesg -x', line: `kern  :warn  : [  123.456789] ${MSG}`, format: 'dmesg', level: 4, monotonic: 123.456789 },
  { name: 'dmesg --time-format=iso', line: `2026-02-04T10:18:11,123456+01:00 ${MSG}`, format: 'dmesg-iso', wallclock: '2026-02-04T10:18:11,123456+01:00' },
  { name: 'printk caller id', line: `[  123.456789][  T412] ${MSG}`, format: 'dmesg', monotonic: 123.456789 },
  { name: '/dev/kmsg record', line: `4,1234,123456789,-;${MSG}`, format: 'kmsg', level: 4, monotonic: 123.456789 },
  { name: 'journalctl -k (short)', line: `Jan 31 09:12:02 pve1 kernel: ${MSG}`, format: 'syslog', host: 'pve1', ident: 'kernel', wallclock: 'Jan 31 09:12:02' },
  { name: 'journalctl -k (short, day padded)', line: `Feb  4 09:12:02 pve1 kernel: ${MSG}`, format: 'syslog', host: 'pve1' },
  { name: 'journalctl -o short-precise', line: `Jan 31 09:12:02.123456 pve1 kernel: ${MSG}`, format: 'syslog', wallclock: 'Jan 31 09:12:02.123456' },
  { name: 'journalctl -o short-iso', line: `2026-01-31T09:12:02+0100 pve1 kernel: ${MSG}`, format: 'syslog-iso', wallclock: '2026-01-31T09:12:02+0100' },
  { name: 'journalctl -o short-iso-precise', line: `2026-01-31T09:12:02.123456+01:00 pve1 kernel: ${MSG}`, format: 'syslog-iso' },
  { name: 'journalctl -o short-full', line: `Sat 2026-01-31 09:12:02 CET pve1 kernel: ${MSG}`, format: 'journal-full', host: 'pve1' },
  { name: 'journalctl -o short-unix', line: `1769847122.123456 pve1 kernel: ${MSG}`, format: 'journal-unix', host: 'pve1' },
  { name: 'journalctl -o short-monotonic', line: `[  123.456789] pve1 kernel: ${MSG}`, format: 'journal-monotonic', monotonic: 123.456789, host: 'pve1' },
  { name: '/var/log/kern.log', line: `Jan 31 09:12:02 pve1 kernel: [  123.456789] ${MSG}`, format: 'syslog', monotonic: 123.456789, host: 'pve1' },
  { name: 'rsyslog high precision kern.log', line: `2026-01-31T09:12:02.123456+01:00 pve1 kernel: [  123.456789] ${MSG}`, format: 'syslog-iso', monotonic: 123.456789 },
  { name: 'kern.log with CRLF', line: `Jan 31 09:12:02 pve1 kernel: [  123.456789] ${MSG}\r`, format: 'syslog' },
  { name: 'coloured dmesg paste', line: `\x1b[32m[  123.456789] \x1b[0m\x1b[33m${MSG}\x1b[0m`, format: 'dmesg', monotonic: 123.456789 },
  { name: 'journalctl -o json', line: json, format: 'journal-json', monotonic: 11.234567, host: 'pve1', ident: 'kernel', level: 4, wallclock: new Date(1738664291123.456).toISOString() },
];

test('every prefix format gives the message, the device prefix and the stamps', () => {
  for (const c of CASES) {
    const p = parsePrefix(c.line);
    assert.equal(p.message, MSG, c.name);
    assert.equal(p.text, TEXT, c.name);
    assert.deepEqual(p.device, { driver: 'vfio-pci', address: '0000:c3:00.0', name: null }, c.name);
    assert.equal(p.format, c.format, c.name);
    for (const k of ['monotonic', 'wallclock', 'host', 'ident', 'level'] as const) {
      if (c[k] !== undefined) assert.equal(p[k], c[k], `${c.name}: ${k}`);
    }
  }
});

test('the same message decodes to the same event in every format', () => {
  const ref = decodeLine(MSG);
  assert.ok(ref);
  for (const c of CASES) {
    const e = decodeLine(c.line);
    assert.ok(e, c.name);
    assert.equal(e.kind, ref.kind, c.name);
    assert.equal(e.device, ref.device, c.name);
    assert.deepEqual(e.fields, ref.fields, c.name);
  }
});

test('device prefixes: PCI drivers, pci_bus, iommu class devices, none', () => {
  assert.deepEqual(parsePrefix('pci 0000:00:01.0: Adding to iommu group 1').device, { driver: 'pci', address: '0000:00:01.0', name: null });
  assert.deepEqual(parsePrefix('snd_hda_intel 0000:01:00.1: bound').device, { driver: 'snd_hda_intel', address: '0000:01:00.1', name: null });
  assert.deepEqual(parsePrefix('pcieport 0000:00:01.0: AER: x').device?.driver, 'pcieport');
  assert.deepEqual(parsePrefix('iommu ivhd0: AMD-Vi: Event logged [X]').device, { driver: 'iommu', address: null, name: 'ivhd0' });
  assert.equal(parsePrefix('pci_bus 0000:01: resource 1 [mem 0xf6000000-0xf70fffff]').device, null);
  assert.equal(parsePrefix('DMAR: IOMMU enabled').device, null);
  assert.equal(parsePrefix('[drm] Initialized simpledrm 1.0.0').text, '[drm] Initialized simpledrm 1.0.0');
  assert.equal(parsePrefix('[Firmware Bug]: TSC_DEADLINE disabled').text, '[Firmware Bug]: TSC_DEADLINE disabled');
});

test('a dmesg line that looks like "host ident:" is not taken for a journal header', () => {
  const p = parsePrefix('[    1.234567] usb 1-4: new high-speed USB device');
  assert.equal(p.format, 'dmesg');
  assert.equal(p.host, null);
  assert.equal(p.message, 'usb 1-4: new high-speed USB device');
  const q = parsePrefix('[    0.5] pci 0000:00:01.0: [8086:1901] type 01 class 0x060400');
  assert.equal(q.host, null);
  assert.equal(q.device?.address, '0000:00:01.0');
});

test('journal JSON: byte-array messages, truncated records, non-journal objects', () => {
  const bytes = JSON.stringify({ MESSAGE: [...Buffer.from('DMAR: IOMMU enabled\n')], _SOURCE_MONOTONIC_TIMESTAMP: '151960' });
  assert.equal(parsePrefix(bytes).message, 'DMAR: IOMMU enabled');
  assert.equal(parsePrefix(bytes).monotonic, 0.15196);
  const cut = json.slice(0, json.indexOf('_KERNEL_DEVICE') - 2);
  assert.equal(parsePrefix(cut).message, MSG);
  const dpdk = '{"level":"error","ts":1654654667.46,"logger":"DPDK","msg":"EAL: 0000:44:00.3 VFIO group is not viable! Not all devices in IOMMU group bound to VFIO or unbound"}';
  assert.match(parsePrefix(dpdk).message, /^EAL: 0000:44:00\.3 VFIO group is not viable/);
  assert.equal(parsePrefix('{"a": 1}').format, 'plain');
  assert.equal(parsePrefix('{broken').message, '{broken');
});

test('headerLength covers exactly the syslog/journal header', () => {
  const line = `Jan 31 09:12:02 vfio-lab kernel: [  123.456789] ${MSG}`;
  assert.equal(line.slice(headerLength(line)), `[  123.456789] ${MSG}`);
  assert.equal(headerLength(`[  123.456789] ${MSG}`), 0);
  assert.equal(headerLength(MSG), 0);
  assert.equal(headerLength(`[  1.000000] iommu-host kernel: ${MSG}`), '[  1.000000] iommu-host kernel: '.length);
});
