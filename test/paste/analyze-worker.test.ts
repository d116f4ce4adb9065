// analyze of a large paste runs on a worker thread (src/commands/analyze.ts): the same report, exit code
// and error lines as on the main thread. The threshold knob puts every run of named files on the worker,
// so both paths are compared on the real cases and on pastes built to reach each way a run can end.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { caseOutputsDir, repoRoot } from '../helpers/paths.js';
import { build } from 'esbuild';
import { analyzeInWorker } from '../../src/commands/analyze-in-worker.js';
import { analyzeLimits } from '../../src/commands/analyze.js';
import { assertWorkerTextPrintsAsMain } from '../helpers/analyze-worker-text.js';

const ON_WORKER = { VFIO_DOCTOR_ANALYZE_WORKER_BYTES: '0' };
const ON_MAIN = { VFIO_DOCTOR_ANALYZE_WORKER_BYTES: String(Number.MAX_SAFE_INTEGER) };

function tmpdir(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vfio-doctor-analyze-worker-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function both(args: string[], cwd: string): Promise<[CliResult, CliResult]> {
  return [await runCli(args, { cwd, env: ON_MAIN }), await runCli(args, { cwd, env: ON_WORKER })];
}

test('every real case: the same text report and exit code on the worker as on the main thread', async () => {
  const dir = caseOutputsDir;
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.txt'))) {
    const [main, worker] = await both(['analyze', name], dir);
    assert.deepEqual(worker, main, name);
  }
});

test('--json, --device, --strict, several files and a paste of several boots: the same on both threads', async (t) => {
  const dir = tmpdir(t);
  const boot = (n: number): string =>
    [
      `[    0.000000] Linux version 6.8.12-${n}-pve (build@pve) #1 SMP`,
      '[    0.151960] DMAR: IOMMU enabled',
      '[    2.000000] vfio-pci 0000:01:00.0: BAR 0: can\'t reserve [mem 0xf0000000-0xf7ffffff 64bit pref]',
      ...Array.from({ length: 200 }, (_, i) => `[   ${3 + i}.000000] usb 1-${i % 7}: new high-speed USB device number ${i} using xhci_hcd`),
    ].join('\n');
  fs.writeFileSync(path.join(dir, 'boots.txt'), ['$ dmesg', boot(1), '$ dmesg', boot(2), '$ dmesg', boot(3), ''].join('\n'));
  fs.writeFileSync(path.join(dir, 'lspci.txt'), '$ lspci -nnk\n01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [10de:1e87] (rev a1)\n\tKernel driver in use: vfio-pci\nchatter\n');
  for (const args of [
    ['analyze', 'boots.txt', 'lspci.txt'],
    ['analyze', '--json', 'boots.txt', 'lspci.txt'],
    ['analyze', '--device', '01:00.0', '--strict', 'lspci.txt', 'boots.txt'],
    ['analyze', '--redact', 'lspci.txt'],
  ]) {
    const [main, worker] = await both(args, dir);
    assert.deepEqual(worker, main, args.join(' '));
  }
});

test('errors raised by the analysis are the same one line and exit code from the worker', async (t) => {
  const dir = tmpdir(t);
  fs.writeFileSync(path.join(dir, 'empty.txt'), '');
  fs.writeFileSync(path.join(dir, 'binary.bin'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]));
  fs.writeFileSync(path.join(dir, 'paste.txt'), '$ dmesg\n[    0.151960] DMAR: IOMMU enabled\n');
  for (const args of [
    ['analyze', 'empty.txt'],
    ['analyze', 'binary.bin'],
    ['analyze', '--vm', '999', 'paste.txt'],
    ['analyze', '--device', 'nonsense', 'paste.txt'],
    ['analyze', '--ids', '10de', 'paste.txt'],
    ['analyze', '--html', 'paste.txt', 'paste.txt'],
  ]) {
    const [main, worker] = await both(args, dir);
    assert.notEqual(main.code, 0, args.join(' '));
    assert.deepEqual(worker, main, args.join(' '));
  }
});

test('a worker that runs out of its heap reports that it did not run, so the analysis is done on the main thread', async (t) => {
  const dir = tmpdir(t);
  const file = path.join(dir, 'paste.txt');
  // Lines nobody understands are all kept (notUnderstood), so this needs far more than the heap given.
  fs.writeFileSync(file, Array.from({ length: 400_000 }, (_, i) => `chatter line ${i} of a long forum post`).join('\n'));
  const request = { files: ['paste.txt'], devices: [], ids: [], json: false, colour: 'never' as const, redact: false };
  const job = { request, env: {}, isTty: false, cwd: dir };
  const r = await analyzeInWorker(job, { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 });
  assert.equal(r.ran, false);
});

test('the worker\'s heap limits: small young generation; old space at least 256 MB and 4x the input', () => {
  assert.deepEqual(analyzeLimits(50 << 20), { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 256 });
  assert.deepEqual(analyzeLimits(200 << 20), { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 800 });
});

test('the worker as the bundle holds it (one CommonJS text, run with eval) prints what the main thread prints', async () => {
  // As scripts/lazy-modules.mjs builds it (WORKER_MODULES): a text that may require only Node's built-ins.
  // Without this a bundle whose worker could not run would pass every test, the main thread taking over.
  const built = await build({ entryPoints: [path.join(repoRoot, 'src/commands/analyze-worker.ts')], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent' });
  await assertWorkerTextPrintsAsMain((built.outputFiles[0] as { text: string }).text);
});
