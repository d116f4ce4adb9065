// The relevant-line scanner: what is kept and what is not, first/last-half retention, hostile input,
// the anchor stage checked against grep -F and against a naive implementation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { ANCHORS, anchorTexts } from '../../src/log/anchors.js';
import { AnchorScanner } from '../../src/log/anchor-scan.js';
import { collectKernelLog, isRelevantLine, scanKernelLog } from '../../src/log/relevant.js';

const run = promisify(execFile);

const KEEP = [
  '[    0.000000] Linux version 6.8.12-4-pve (build@proxmox) #1 SMP',
  '[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz root=/dev/sda1 intel_iommu=on',
  '[    0.010000] DMI: ASUS System Product Name/PRIME X570-P, BIOS 4021 08/09/2021',
  '[    0.100000] DMAR: IOMMU enabled',
  '[    0.200000] pci 0000:01:00.0: [10de:1e87] type 00 class 0x030000',
  '[    0.210000] pci 0000:00:02.0: vgaarb: setting as boot VGA device',
  '[    0.300000] pci 0000:01:00.0: Adding to iommu group 1',
  '[    0.400000] AMD-Vi: Interrupt remapping enabled',
  '[    1.000000] vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)',
  "[    1.100000] vfio-pci 0000:01:00.0: BAR 0: can't reserve [mem 0xf6000000-0xf6ffffff]",
  "[    1.200000] vfio-pci 0000:0f:00.0: Unsupported reset method 'flr'",
  '[    1.300000] pci 0000:01:00.0: not ready 1023ms after FLR; waiting',
  '[    1.400000] vfio-pci: probe of 0000:65:00.0 failed with error -22',
  '[    1.500000] Lockdown: modprobe: unsigned module loading is restricted; see man kernel_lockdown.7',
  '[    1.600000] [drm] Initialized simpledrm 1.0.0 for simple-framebuffer.0 on minor 0',
  '[    1.700000] blacklisting initcall sysfb_init',
  '[    1.800000] nvidia: module verification failed: signature and/or required key missing - tainting kernel',
  '[    1.900000] pcieport 0000:00:01.0: AER: Uncorrected (Fatal) error received: 0000:01:00.0',
  '[    2.000000] kvm: disabled by bios',
  "[    2.100000] x2apic: IRQ remapping doesn't support X2APIC mode",
  '[    2.200000] pci 0000:01:00.0: Unable to change power state from D3cold to D0, device inaccessible',
  '[    2.300000] pci 0000:00:1c.0: Intel PCH root port ACS workaround enabled',
  '[    2.400000] pci 0000:00:02.0: reset via FLR failed',
  'Jan 31 09:12:02 vfio-lab kernel: [    2.500000] DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x1000 [fault reason 0x06] PTE Read access is not set',
  '{"MESSAGE":"AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000d address=0xfd7b4000 flags=0x0020]","_SOURCE_MONOTONIC_TIMESTAMP":"2600000"}',
];

const DROP = [
  '[    3.000000] usb 1-4: reset high-speed USB device number 7 using xhci_hcd',
  '[    3.100000] usb 1-10.3: reset full-speed USB device number 9 using xhci_hcd',
  '[    3.200000] pci 0000:00:1f.3: PME# supported from D0 D3hot D3cold',
  '[    3.300000] ACPI: FACS 0x00000000BAF6E000 000040',
  '[    3.400000] ZFS: Loaded module v2.2.2-pve1, ZFS pool version 5000',
  '[    3.500000] systemd[1]: Starting systemd-modules-load.service - Load Kernel Modules...',
  '[    3.600000] pci 0000:01:00.0: BAR 0 [mem 0xf6000000-0xf6ffffff]',
  '[    3.700000] initcall init_module+0x0/0x1000 [snd] returned 0 after 12 usecs',
  '[    3.800000] pcieport 0000:00:1c.4: AER: Corrected error received: 0000:00:1c.4',
  'Jan 31 09:12:02 vfio-lab kernel: [    3.900000] usb 1-4: new high-speed USB device number 7 using xhci_hcd',
  'Jan 31 09:12:02 iommu-host systemd[1]: Started session-1.scope.',
  '{"MESSAGE":"usb 1-4: new device","_HOSTNAME":"vfio-lab","_KERNEL_SUBSYSTEM":"iommu"}',
];

test('keeps the passthrough lines and drops the noise (including anchors only in host names)', async () => {
  const input = [...KEEP.slice(0, 12), ...DROP, ...KEEP.slice(12)].join('\n') + '\n';
  const { lines, stats } = await scanKernelLog(Buffer.from(input));
  const kept = lines.map((l) => l.text);
  const expected = KEEP.map((k) => (k.startsWith('{') ? '[    2.600000] AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000d address=0xfd7b4000 flags=0x0020]' : k));
  assert.deepEqual(kept, expected);
  assert.equal(stats.totalLines, KEEP.length + DROP.length);
  assert.equal(stats.relevantLines, KEEP.length);
  assert.equal(stats.droppedLines, 0);
  for (const l of KEEP) assert.equal(isRelevantLine(l), true, l);
  for (const l of DROP) assert.equal(isRelevantLine(l), false, l);
});

test('keeps the first and the last half when there are more relevant lines than maxLines', async () => {
  const rows: string[] = [];
  for (let i = 1; i <= 1000; i++) rows.push(i % 10 === 0 ? `[${i}] DMAR: fault ${i}` : `[${i}] noise ${i}`);
  const section = await collectKernelLog(Readable.from([Buffer.from(rows.join('\n'))]), 'dmesg', 'dmesg', { maxLines: 10 });
  assert.equal(section.origin, 'dmesg');
  assert.equal(section.from, 'dmesg');
  assert.equal(section.relevantLines, 100);
  assert.equal(section.droppedLines, 90);
  assert.deepEqual(
    section.lines.map((l) => l.n),
    [10, 20, 30, 40, 50, 960, 970, 980, 990, 1000],
  );
  assert.equal(section.totalLines, 1000);
  assert.equal(section.totalBytes, Buffer.byteLength(rows.join('\n')));
});

test('long lines: anchors past the cut do not count, kept text is capped at the limit', async () => {
  const headHit = `DMAR: head ${'x'.repeat(10_000)}`;
  const tailHit = `${'y'.repeat(10_000)} DMAR: tail`;
  const huge = `vfio-pci 0000:01:00.0: ${'z'.repeat(10 * 1024 * 1024)}`;
  const { lines, stats } = await scanKernelLog(Buffer.from([headHit, tailHit, huge, 'DMAR: end'].join('\n')));
  assert.deepEqual(
    lines.map((l) => l.n),
    [1, 3, 4],
  );
  for (const l of lines) assert.ok(Buffer.byteLength(l.text) <= 4096, `line ${l.n} kept ${l.text.length} chars`);
  assert.equal(stats.truncatedLines, 3);
});

test('binary garbage, NUL bytes and invalid UTF-8: no crash, counted, kept text sanitised', async () => {
  let seed = 7;
  const garbage = Buffer.alloc(2 * 1024 * 1024);
  for (let i = 0; i < garbage.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    garbage[i] = seed >> 16;
  }
  const data = Buffer.concat([
    Buffer.from('DMAR: IOMMU enabled\n'),
    garbage,
    Buffer.from('\nDMAR: \x00\x1b[2Jnul\xff inside\n', 'latin1'),
    Buffer.alloc(100_000),
    Buffer.from('\nDMAR: after\n'),
  ]);
  const { lines, stats } = await scanKernelLog(data);
  assert.ok(stats.binaryLines >= 3, `binary lines: ${stats.binaryLines}`);
  const texts = lines.map((l) => l.text);
  assert.equal(texts[0], 'DMAR: IOMMU enabled');
  assert.equal(texts[texts.length - 1], 'DMAR: after');
  for (const t of texts) assert.ok(!/[\x00-\x08\x0a-\x1f\x7f]/.test(t), `control characters left in ${JSON.stringify(t.slice(0, 40))}`);
  assert.ok(texts.includes('DMAR: \ufffd\ufffdnul\ufffd inside') || texts.some((t) => t.startsWith('DMAR: \ufffd')));
});

test('the anchor stage finds exactly the lines grep -F finds', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vfio-doctor-anchors-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'mixed.log');
  const words = ['usb', 'reset', 'pci', 'module', 'probe', 'BAR', 'D3', 'iommu', 'device=', 'the', 'and', 'FLR', 'ACS', 'vfio', 'x'];
  let seed = 11;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const rows: string[] = [];
  for (let i = 0; i < 60_000; i++) {
    const n = 3 + rnd(20);
    const parts: string[] = [`[${i}.000]`];
    for (let k = 0; k < n; k++) parts.push(rnd(50) === 0 ? (anchorTexts()[rnd(ANCHORS.length)] as string) : (words[rnd(words.length)] as string));
    rows.push(parts.join(rnd(3) === 0 ? '' : ' '));
  }
  writeFileSync(file, rows.join('\n') + '\n');
  const args = ['-a', '-c', '-F', ...anchorTexts().flatMap((a) => ['-e', a]), file];
  const { stdout } = await run('grep', args, { env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 1 << 20 });
  const { stats } = await scanKernelLog(file);
  assert.equal(stats.candidateLines, Number(stdout.trim()));
  assert.equal(stats.totalLines, 60_000);
});

test('the interleaved scanner agrees with a naive search on blocks of every size', () => {
  const scanner = new AnchorScanner(ANCHORS);
  const texts = anchorTexts();
  let seed = 3;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (const size of [0, 5, 100, 4000, 40_000, 200_000]) {
    const rows: string[] = [];
    let len = 0;
    while (len < size) {
      let row = '';
      const n = rnd(12);
      for (let k = 0; k < n; k++) row += rnd(8) === 0 ? (texts[rnd(texts.length)] as string) : 'abcdefgh ijk'.slice(rnd(6));
      if (rnd(200) === 0) row += 'q'.repeat(5000) + (texts[rnd(texts.length)] as string);
      rows.push(row);
      len += row.length + 1;
    }
    const buf = Buffer.from(rows.join('\n'), 'latin1');
    const out: number[] = [];
    scanner.findLines(buf, 0, buf.length, 4096, out);
    const got = out.filter((_, i) => i % 2 === 0);
    const want: number[] = [];
    let off = 0;
    for (const r of rows) {
      const head = r.slice(0, 4096);
      if (texts.some((a) => head.includes(a))) want.push(off);
      off += r.length + 1;
    }
    assert.deepEqual(got, want, `block of ${size} bytes`);
  }
});

test('an unreadable path rejects with the system error', async () => {
  await assert.rejects(scanKernelLog('/nonexistent/kern.log'), /ENOENT/);
});
