#!/usr/bin/env node
// dist/vfio-doctor.mjs: starts the CLI in vfio-doctor.cjs beside it (which also runs alone:
// `node vfio-doctor.cjs`), with the code V8 compiled for it at build time, from vfio-doctor.code-cache.
// Compiling the 1.7 MB of JavaScript took ~50 ms of every command, more as functions were first called;
// reading the compiled code back costs less (scripts/code-cache.mjs makes it; docs/performance.md has
// the figures). The cache is used only when it was made from this very file (its first line names the build
// of vfio-doctor.cjs it belongs to, and the file's last line says which build it is) and V8 accepts it,
// which it does only for the same V8 with the same flags; otherwise the code is compiled as Node would.
// VFIO_DOCTOR_CODE_CACHE=off leaves the cache unread; =report says on stderr what became of it.
// Written for Node.js >= 18.19, as the CLI itself (the version check is the CLI's first statement).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const file = fileURLToPath(new URL('./vfio-doctor.cjs', import.meta.url));
let text;
try {
  text = readFileSync(file, 'latin1');
} catch (err) {
  process.stderr.write(`vfio-doctor: cannot read ${file} (${err.code ?? err.message}): the CLI's code, which belongs beside ${fileURLToPath(import.meta.url)}; reinstall vfio-doctor\n`);
  process.exit(2);
}
// The same text Node's CommonJS loader would compile: the file in its module wrapper, the "#!" line
// replaced by the wrapper's head so that line numbers stay the file's.
const head = '(function (exports, require, module, __filename, __dirname) { ';
const source = (text.startsWith('#!') ? head + text.slice(text.indexOf('\n')) : head + '\n' + text) + '\n})';
const mode = process.env.VFIO_DOCTOR_CODE_CACHE;
const build = /\n\/\/ vfio-doctor build ([0-9a-f]{64})\n*$/.exec(text.slice(-100))?.[1];
let cachedData;
let state = 'used';
if (mode !== 'off' && build === undefined) state = 'not used (vfio-doctor.cjs does not end with its build stamp)';
else if (mode !== 'off') {
  try {
    const cache = readFileSync(file.replace(/\.cjs$/, '.code-cache'));
    const stamp = cache.toString('latin1', 0, 65);
    if (stamp === `${build}\n`) cachedData = cache.subarray(65);
    else if (/^[0-9a-f]{64}\n$/.test(stamp)) state = 'not used (made for another build of vfio-doctor.cjs)';
    else state = 'not used (no build stamp at its start: cut short, or not a code cache of vfio-doctor)';
  } catch (err) {
    state = `not used (${err.code === 'ENOENT' ? 'none beside vfio-doctor.cjs' : err.code ?? err.message})`;
  }
}
// Exported for scripts/code-cache.mjs, which runs a check through this very Script and saves its code.
export const script = new Script(source, { filename: file, cachedData });
export { build };
if (script.cachedDataRejected) state = 'rejected by V8 (another Node.js, or other V8 flags)';
if (mode === 'report') process.stderr.write(`vfio-doctor: code cache ${state}\n`);
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
