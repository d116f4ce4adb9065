// The worker threads as the shipped bundle holds them (scripts/lazy-modules.mjs: their code as a text in
// dist/vfio-doctor.cjs, large ones brotli-packed). A worker that cannot run is replaced by the main
// thread, so a bundle with a broken worker text would still print the right answers everywhere else:
// here each text is taken out of the bundle itself, through the stand-in's own declarations, and run.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { brotliDecompressSync } from 'node:zlib';
import { repoRoot } from '../helpers/paths.js';
import { assertWorkerTextPrintsAsMain } from '../helpers/analyze-worker-text.js';
import { tempDir } from '../helpers/temp.js';
import { scanKernelLog } from '../../src/log/relevant.js';
import type { FromScanWorker, ScanJob } from '../../src/log/scan-worker-protocol.js';

const bundle = path.join(repoRoot, 'dist/vfio-doctor.cjs');

/** The string a function of the bundle returns, declared as `function NAME() { return "..."; }` (esbuild picks the quotes). */
function literal(code: string, name: string): string {
  const m = new RegExp(`\\nfunction ${name}\\(\\) \\{\\n  return ((["'\`]).*?[^\\\\]\\2);\\n\\}\\n`, 's').exec(code);
  assert.ok(m, `the bundle declares ${name}`);
  return new Function(`return ${m[1]};`)() as string;
}

/** The worker code `exportName()` hands to new Worker, read the way the stand-in reads it. */
function workerText(code: string, exportName: string): { text: string; packed: boolean } {
  const fn = new RegExp(`function ${exportName}\\(\\) \\{\\s*return \\{ script: (\\w+)\\(\\), eval: true \\};`).exec(code);
  assert.ok(fn, `the bundle holds ${exportName}`);
  const decl = new RegExp(`\\nvar ${fn[1]} = \\(\\) => (?:(\\w+)\\(\\);|\\w+ \\?\\?= (?:__)?require\\("node:zlib"\\)\\.brotliDecompressSync\\(Buffer\\.from\\((\\w+)\\(\\), "base64"\\)\\)\\.toString\\("utf8"\\);)`).exec(code);
  assert.ok(decl, `${exportName}'s text is declared as lazy-modules.mjs writes it`);
  if (decl[1]) return { text: literal(code, decl[1]), packed: false };
  return { text: brotliDecompressSync(Buffer.from(literal(code, decl[2]!), 'base64')).toString('utf8'), packed: true };
}

test('the bundle\'s log-scan worker (packed) scans its part as the main thread does', async (t) => {
  if (!fs.existsSync(bundle)) return t.skip('no dist/vfio-doctor.cjs: run npm run build first');
  const { text, packed } = workerText(fs.readFileSync(bundle, 'latin1'), 'scanWorkerSource');
  assert.ok(packed, 'a text of this size is held packed');
  const dir = tempDir('bundle-workers', t);
  const file = path.join(dir, 'kern.log');
  const lines = Array.from({ length: 3000 }, (_, i) =>
    i % 7 === 0
      ? `[${(i / 100).toFixed(6).padStart(12)}] DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x7f3c${i.toString(16).padStart(4, '0')}000 [fault reason 0x06] PTE Read access is not set`
      : `[${(i / 100).toFixed(6).padStart(12)}] usb 1-4: new high-speed USB device number ${i} using xhci_hcd`,
  );
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const fd = fs.openSync(file, 'r');
  t.after(() => fs.closeSync(fd));
  const start = Buffer.byteLength(lines.slice(0, 1200).join('\n') + '\n');
  const job: ScanJob = { fd, start, opts: { maxLines: 50 } };
  const answer = await new Promise<FromScanWorker>((resolve, reject) => {
    const w = new Worker(text, { eval: true, workerData: job, stdout: false, stderr: false });
    w.once('message', resolve);
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`the worker exited (${code}) without an answer`)));
  });
  assert.deepEqual(answer, { ok: true, result: await scanKernelLog({ fd, start }, { maxLines: 50 }) });
});

test('the bundle\'s analysis worker (packed) prints what the main thread prints', async (t) => {
  if (!fs.existsSync(bundle)) return t.skip('no dist/vfio-doctor.cjs: run npm run build first');
  const { text, packed } = workerText(fs.readFileSync(bundle, 'latin1'), 'analyzeWorkerSource');
  assert.ok(packed, 'a text of this size is held packed');
  await assertWorkerTextPrintsAsMain(text, [false]);
});

test('the bundle\'s preflight image worker is held plain (it is on preflight\'s critical path) and compiles', (t) => {
  if (!fs.existsSync(bundle)) return t.skip('no dist/vfio-doctor.cjs: run npm run build first');
  const { text, packed } = workerText(fs.readFileSync(bundle, 'latin1'), 'imageWorkerSource');
  assert.equal(packed, false);
  assert.doesNotThrow(() => new Function('require', 'module', 'exports', text));
});
