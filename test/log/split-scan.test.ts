// The two-thread scan of a large log file: the two parts' results merged must be exactly one scan's,
// wherever the file is split and however many lines the window keeps, with a real worker or without one,
// and the worker must run as the bundle holds it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { scanKernelLog, type ScanOptions } from '../../src/log/relevant.js';
import { mergeScans, scanLogFile } from '../../src/log/split-scan.js';
import type { FromScanWorker, ScanJob } from '../../src/log/scan-worker-protocol.js';
import { repoRoot } from '../helpers/paths.js';

const RELEVANT = [
  '[    0.100000] DMAR: IOMMU enabled',
  '[    0.300000] pci 0000:01:00.0: Adding to iommu group 1',
  '[    1.000000] vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)',
  '[    2.500000] DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x1000 [fault reason 0x06] PTE Read access is not set',
  '[    2.600000] vfio-pci 0000:0b:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000d address=0xfd7b4000 flags=0x0020]',
  'Jan 31 09:12:02 vfio-lab kernel: [    2.700000] pci 0000:01:00.0: not ready 1023ms after FLR; waiting',
];
const NOISE = [
  '[    3.000000] usb 1-4: reset high-speed USB device number 7 using xhci_hcd',
  '[    3.200000] pci 0000:00:1f.3: PME# supported from D0 D3hot D3cold',
  '[    3.600000] pci 0000:01:00.0: BAR 0 [mem 0xf6000000-0xf6ffffff]',
  '',
];

// A log with runs of relevant lines between noise, CRLF endings, a line with invalid UTF-8 and lines
// longer than the 64-byte limit used below (cut, and counted as truncated).
function sampleLog(lines: number, seed: number): Buffer {
  const parts: Buffer[] = [];
  let x = seed;
  const rnd = (n: number): number => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % n;
  };
  for (let i = 0; i < lines; i++) {
    const r = rnd(10);
    const text = r < 4 ? (RELEVANT[rnd(RELEVANT.length)] as string) : (NOISE[rnd(NOISE.length)] as string);
    const end = rnd(7) === 0 ? '\r\n' : '\n';
    if (r === 9) parts.push(Buffer.from([0x5b, 0xff, 0xfe, 0x5d, 0x20]));
    parts.push(Buffer.from(text + end, 'utf8'));
  }
  parts.push(Buffer.from(RELEVANT[0] as string, 'utf8'));
  return Buffer.concat(parts);
}

function withFile(content: Buffer, body: (file: string, fd: number) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vfio-doctor-split-'));
  const file = path.join(dir, 'log');
  writeFileSync(file, content);
  const fd = openSync(file, 'r');
  return body(file, fd).finally(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });
}

function lineStarts(buf: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i < buf.length; i++) if (buf[i] === 10 && i + 1 < buf.length) out.push(i + 1);
  return out;
}

test('two parts merged are one scan, at every split point and window size', async () => {
  const log = sampleLog(120, 7);
  await withFile(log, async (file, fd) => {
    for (const maxLines of [1, 2, 5, 8, 40, 20_000]) {
      const opts: ScanOptions = { maxLines, maxLineBytes: 64 };
      const whole = await scanKernelLog(file, opts);
      for (const at of lineStarts(log)) {
        const first = await scanKernelLog({ fd, start: 0, end: at }, opts);
        const second = await scanKernelLog({ fd, start: at }, opts);
        assert.deepEqual(mergeScans(first, second, maxLines), whole, `split at ${at}, ${maxLines} lines kept`);
      }
    }
  });
});

test('scanLogFile: the worker scan equals the one-thread scan', async () => {
  for (const seed of [1, 2, 3]) {
    const log = sampleLog(3000, seed);
    await withFile(log, async (file, fd) => {
      for (const maxLines of [6, 20_000]) {
        const opts: ScanOptions = { maxLines, maxLineBytes: 64 };
        const whole = await scanKernelLog(file, opts);
        assert.deepEqual(await scanLogFile(fd, { ...opts, splitMinBytes: 0 }), whole);
        // Small files stay on one thread.
        assert.deepEqual(await scanLogFile(fd, opts), whole);
      }
    });
  }
});

test('scanLogFile: a worker that cannot run leaves the second part to this thread', async () => {
  const log = sampleLog(500, 9);
  await withFile(log, async (file, fd) => {
    const opts: ScanOptions = { maxLines: 10, maxLineBytes: 64 };
    const whole = await scanKernelLog(file, opts);
    for (const script of ['process.exit(3)', 'throw new Error("no worker here")']) {
      assert.deepEqual(await scanLogFile(fd, { ...opts, splitMinBytes: 0, workerSource: { script, eval: true } }), whole);
    }
  });
});

test('scanLogFile: a file with no line start past the middle is scanned whole', async () => {
  const log = Buffer.from(`${RELEVANT[0] as string}\n${'x'.repeat(5000)}${RELEVANT[1] as string}\n`, 'utf8');
  await withFile(log, async (file, fd) => {
    assert.deepEqual(await scanLogFile(fd, { splitMinBytes: 0 }), await scanKernelLog(file));
  });
});

test('positional reads stop at the end given and leave the descriptor offset alone', async () => {
  const log = Buffer.from(RELEVANT.join('\n') + '\n', 'utf8');
  await withFile(log, async (_file, fd) => {
    const cut = lineStarts(log)[1] as number;
    const head = await scanKernelLog({ fd, start: 0, end: cut });
    assert.equal(head.stats.totalLines, 2);
    assert.equal(head.stats.totalBytes, cut);
    // The descriptor's own offset is still 0: a scan from it reads the whole file.
    assert.equal((await scanKernelLog({ fd })).stats.totalLines, RELEVANT.length);
  });
});

test('the worker as the bundle holds it (one CommonJS text, run with eval) answers with the part scanned', async () => {
  // As scripts/lazy-modules.mjs builds it (WORKER_MODULES): a text that may require only Node's built-ins.
  const built = await build({ entryPoints: [path.join(repoRoot, 'src/log/scan-worker.ts')], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent' });
  const text = (built.outputFiles[0] as { text: string }).text;
  const log = sampleLog(400, 11);
  await withFile(log, async (_file, fd) => {
    const start = lineStarts(log)[150] as number;
    const opts: ScanOptions = { maxLines: 8, maxLineBytes: 64 };
    const job: ScanJob = { fd, start, opts };
    const answer = await new Promise<FromScanWorker>((resolve, reject) => {
      const w = new Worker(text, { eval: true, workerData: job, stdout: false, stderr: false });
      w.once('message', resolve);
      w.once('error', reject);
    });
    assert.deepEqual(answer, { ok: true, result: await scanKernelLog({ fd, start }, opts) });
  });
});
