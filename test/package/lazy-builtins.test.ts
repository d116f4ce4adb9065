// Built-in modules the bundle requires on first use (scripts/lazy-modules.mjs, LAZY_BUILTINS): each is
// bundled here the way the bundle is, with a program that calls and constructs their forwarders, and run.
// A worker the bundle cannot construct would not show elsewhere: the main thread takes over its work.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

interface LazyModulesScript {
  builtinsByRequire(): unknown;
  LAZY_BUILTINS: Record<string, string[]>;
}

const PROGRAM = `
import { Worker } from 'node:worker_threads';
import { open } from 'node:fs/promises';
import { spawn } from 'node:child_process';
const loadedAtStart = process.moduleLoadList.includes('NativeModule worker_threads');
(async () => {
const fh = await open(process.argv[2], 'r');
const text = (await fh.readFile()).toString('utf8');
await fh.close();
const fromWorker = await new Promise((resolve, reject) => {
  const w = new Worker('require("node:worker_threads").parentPort.postMessage(6 * 7)', { eval: true });
  w.once('message', resolve);
  w.once('error', reject);
});
const child = spawn(process.execPath, ['-e', 'process.stdout.write("child")'], { stdio: ['ignore', 'pipe', 'inherit'] });
let fromChild = '';
child.stdout.on('data', (d) => (fromChild += d));
await new Promise((resolve) => child.once('close', resolve));
process.stdout.write(JSON.stringify({ loadedAtStart, text, fromWorker, fromChild }));
})();
`;

test('the lazy built-ins\' forwarders call and construct what they stand for, loaded only then', async (t) => {
  const { builtinsByRequire, LAZY_BUILTINS } = (await import(pathToFileURL(path.join(repoRoot, 'scripts/lazy-modules.mjs')).href)) as LazyModulesScript;
  assert.deepEqual(LAZY_BUILTINS['node:worker_threads'], ['Worker']);
  const { build } = await import('esbuild');
  const dir = tempDir('lazy-builtins', t);
  fs.writeFileSync(path.join(dir, 'entry.mjs'), PROGRAM);
  fs.writeFileSync(path.join(dir, 'input.txt'), 'read through fs/promises');
  const out = path.join(dir, 'out.cjs');
  await build({
    entryPoints: [path.join(dir, 'entry.mjs')], bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'warning',
    banner: { js: '"use strict";' },
    plugins: [builtinsByRequire() as never],
  });
  assert.match(fs.readFileSync(out, 'utf8'), /new\.target \? Reflect\.construct/);
  const run = spawnSync(process.execPath, [out, path.join(dir, 'input.txt')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { loadedAtStart: false, text: 'read through fs/promises', fromWorker: 42, fromChild: 'child' });
});
