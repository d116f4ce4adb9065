// vfio-doctor decode: text and JSON output, stdin, and the one-line errors (exit code 2 via InputError).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeCommand } from '../../src/commands/decode.js';
import { InputError, UsageError, type Io } from '../../src/cli/command.js';
import { parseValidated } from '../helpers/json-output.js';

const LOG = [
  'Jan 31 09:12:00 pve kernel: [    0.000000] Linux version 6.8.12-4-pve (build@proxmox) #1 SMP',
  'Jan 31 09:12:00 pve kernel: [    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve ro quiet intel_iommu=on',
  'Jan 31 09:12:00 pve kernel: [    0.010000] DMAR: IOMMU enabled',
  'Jan 31 09:12:00 pve kernel: [    0.020000] DMAR: Host address width 39',
  'Jan 31 09:12:00 pve kernel: [    0.150000] pci 0000:01:00.0: [10de:1e87] type 00 class 0x030000',
  'Jan 31 09:12:00 pve kernel: [    0.300000] DMAR: Intel(R) Virtualization Technology for Directed I/O',
  'Jan 31 09:12:00 pve kernel: [    0.310000] pci 0000:01:00.0: Adding to iommu group 12',
  'Jan 31 09:12:03 pve kernel: [    9.000000] usb 1-4: reset high-speed USB device number 7 using xhci_hcd',
  'Jan 31 09:12:05 pve kernel: [   12.000000] modprobe: FATAL: Module vfio_virqfd not found in directory /lib/modules/6.8.12-4-pve',
  'Jan 31 09:20:00 pve kernel: [  500.000000] DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x7f3c0000 [fault reason 0x06] PTE Read access is not set',
  'Jan 31 09:20:00 pve kernel: [  500.000100] DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x7f3c1000 [fault reason 0x06] PTE Read access is not set',
  'Jan 31 09:20:00 pve kernel: [  500.000200] \x1b[31mDMAR: DRHD: handling fault status reg 2\x1b[0m',
].join('\n');

function fakeIo(stdin = '', cwd = process.cwd(), env: Record<string, string> = {}): Io & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readStdin: async () => Buffer.from(stdin),
    env,
    isTty: false,
    cwd,
  };
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'vfio-doctor-decode-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('text output: by device, then known problems; plain text only', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'kern.log'), LOG);
  const io = fakeIo('', dir);
  assert.equal(await decodeCommand.run(['kern.log'], io), 0);
  const text = io.out.join('');
  assert.match(text, /^vfio-doctor decode: kern\.log\n/);
  assert.match(text, /12 lines .* read; 11 relevant/);
  assert.match(text, /kernel 6\.8\.12-4-pve/);
  assert.match(text, /^ {2}0000:01:00\.0 {2}\[10de:1e87\] {2}class 0x030000 {2}IOMMU group 12$/m);
  assert.match(text, /dmar-dma-fault {2}\[format of kernel >= 5\.15\] {2}×2, lines 10–11/);
  assert.match(text, /reason 0x06 \(printed hex\) "PTE Read access is not set"/);
  assert.match(text, /\[vfio-virqfd-merged\]/);
  assert.match(text, /applies to kernels >=6\.2; this log is from 6\.8\.12-4-pve/);
  assert.ok(!text.includes('\x1b'), 'no escape sequences from the log reach the terminal');
  assert.ok(!text.includes('usb 1-4'));
  assert.ok(!/intel-iommu-on-but-vtd-off/.test(text), 'VT-d is active in this log');
});

test('--json: the report shape, and the same output for the same input', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'kern.log'), LOG);
  const a = fakeIo('', dir);
  const b = fakeIo('', dir);
  await decodeCommand.run(['--json', 'kern.log'], a);
  await decodeCommand.run(['kern.log', '--json'], b);
  assert.equal(a.out.join(''), b.out.join(''));
  const r = parseValidated('decode', a.out.join(''));
  assert.deepEqual(Object.keys(r), ['schemaVersion', '$schema', 'tool', 'schema', 'source', 'context', 'groups', 'knowledgeBase']);
  assert.equal(r.schemaVersion, 1);
  assert.equal(r.schema, 'vfio-doctor.decode/1', 'the name of layout 1 from before schemaVersion is still there');
  assert.equal(r.source.totalLines, 12);
  assert.equal(r.source.relevantLines, 11);
  assert.equal(r.context.kernelRelease, '6.8.12-4-pve');
  assert.equal(r.context.cmdline, 'BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve ro quiet intel_iommu=on');
  assert.deepEqual(r.context.devices, [{ address: '0000:01:00.0', id: '10de:1e87', class: '0x030000', iommuGroup: 12 }]);
  const dev = r.groups.find((g) => g.device === '0000:01:00.0');
  assert.ok(dev);
  const faults = dev.events.filter((e) => e.kind === 'dmar-dma-fault');
  assert.equal(faults.length, 2);
  assert.equal(faults[0]?.device, '01:00.0', 'the event keeps the address as the log gave it');
  assert.equal(faults[0]?.fields['reason'], 'PTE Read access is not set');
  assert.equal(r.groups[r.groups.length - 1]?.device, null);
  assert.ok(r.knowledgeBase.some((m) => m.id === 'vfio-virqfd-merged' && m.kernel.status === 'match'));
});

test('"-" and no argument read standard input', async () => {
  for (const args of [['-'], []]) {
    const io = fakeIo('[    1.0] vfio-pci 0000:65:00.0: probe with driver vfio-pci failed with error -22\n');
    assert.equal(await decodeCommand.run([...args, '--json'], io), 0);
    const r = parseValidated('decode', io.out.join(''));
    assert.equal(r.source.from, 'standard input');
    assert.ok(r.knowledgeBase.some((m) => m.id === 'vfio-probe-einval-no-iommu'));
  }
});

test('an empty log is not an error', async () => {
  const io = fakeIo('');
  assert.equal(await decodeCommand.run([], io), 0);
  assert.match(io.out.join(''), /No IOMMU, VFIO or PCI passthrough lines were recognised/);
});

test('unreadable input: one line naming the file (InputError, exit 2)', async (t) => {
  const dir = tempDir(t);
  await assert.rejects(decodeCommand.run(['missing.log'], fakeIo('', dir)), (e: unknown) => e instanceof InputError && e.message === 'missing.log: cannot read: no such file');
  await assert.rejects(decodeCommand.run(['.'], fakeIo('', dir)), (e: unknown) => e instanceof InputError && e.message === '.: is a directory, not a log file');
  let seed = 1;
  const garbage = Buffer.alloc(200_000);
  for (let i = 0; i < garbage.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    garbage[i] = seed >> 16;
  }
  writeFileSync(path.join(dir, 'garbage.bin'), garbage);
  await assert.rejects(decodeCommand.run(['garbage.bin'], fakeIo('', dir)), (e: unknown) => e instanceof InputError && /^garbage\.bin: not a text log \(\d+ of \d+ lines hold NUL bytes or invalid UTF-8\)$/.test(e.message));
});

test('usage errors and a malformed knowledge-base entry', async (t) => {
  await assert.rejects(decodeCommand.run(['a.log', 'b.log'], fakeIo()), UsageError);
  await assert.rejects(decodeCommand.run(['--bogus'], fakeIo()), (e: unknown) => e instanceof UsageError && /^unknown option '--bogus'/.test(e.message));
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'site.json'), JSON.stringify([{ id: 'site-x', title: 'x', layer: 'gpu' }]));
  await assert.rejects(
    decodeCommand.run(['--kb', dir], fakeIo('DMAR: IOMMU enabled\n')),
    (e: unknown) => e instanceof InputError && e.message === `knowledge base: ${path.join(dir, 'site.json')}: entry 1 ("site-x"): "explanation" must be a non-empty string`,
  );
  await assert.rejects(
    decodeCommand.run([], fakeIo('DMAR: IOMMU enabled\n', process.cwd(), { VFIO_DOCTOR_KB: dir })),
    (e: unknown) => e instanceof InputError && e.message.includes('site.json: entry 1 ("site-x")'),
  );
});

test('a user knowledge-base entry matches', async (t) => {
  const dir = tempDir(t);
  writeFileSync(
    path.join(dir, 'site.json'),
    JSON.stringify([
      {
        id: 'site-hba-slot',
        title: 'Our HBA in slot 3 always faults',
        layer: 'device',
        cause: 'dma-fault',
        severity: 'warning',
        signature: { any: [{ event: 'dmar-dma-fault', device: '^(0000:)?03:00\\.0$' }] },
        explanation: 'Known board issue.',
        fix: 'Use slot 5.',
        references: ['ticket OPS-1234'],
      },
    ]),
  );
  const io = fakeIo('DMAR: [DMA Write NO_PASID] Request device [03:00.0] fault addr 0x1000 [fault reason 0x05] PTE Write access is not set\n');
  assert.equal(await decodeCommand.run(['--kb', dir], io), 0);
  assert.match(io.out.join(''), /\[site-hba-slot\] Our HBA in slot 3 always faults/);
});
