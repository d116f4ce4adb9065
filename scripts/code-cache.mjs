// Makes dist/vfio-doctor.code-cache: the code V8 compiles for vfio-doctor.cjs while it checks a host,
// saved so that launcher.mjs (dist/vfio-doctor.mjs) can start without compiling it again.
//
// V8 compiles a function when it is first called, so a cache taken right after compiling holds little
// more than the top level (measured: 4 ms less per check; the cache below saves 30–40). It is taken after
// a whole `check` of a fixture host (the test host builder's Intel desktop: every source collected,
// every rule run, the text report printed), through the launcher's own Script object, in a process of
// its own. Code a check does not run is compiled on first use, as before. The cache belongs to this
// build (its first line is the build's stamp) and to this Node's V8: any other Node rejects it and
// compiles the file as usual.
//
//   node scripts/code-cache.mjs                      (dist/vfio-doctor.mjs -> dist/vfio-doctor.code-cache)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const self = fileURLToPath(import.meta.url);
const hostBuilder = path.join(path.dirname(self), '../build/test/fixtures/host-builder.js');
const hosts = path.join(path.dirname(self), '../build/test/fixtures/hosts.js');

/** Runs a check through `launcher` in a child process and writes the code it compiled to `out`. */
export async function makeCodeCache(launcher, out) {
  if (!existsSync(hostBuilder)) throw new Error(`code cache: ${hostBuilder} is missing: compile the sources first (npm run build does)`);
  const { buildHost } = await import(pathToFileURL(hostBuilder).href);
  const { intelDesktop } = await import(pathToFileURL(hosts).href);
  const work = mkdtempSync(path.join(os.tmpdir(), 'vfio-doctor-code-cache-'));
  try {
    const root = await buildHost(intelDesktop, path.join(work, 'host'));
    const partial = `${out}.partial`;
    const r = spawnSync(process.execPath, [self, '--train', launcher, partial, 'check', '--root', root, '--color', 'never'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
      timeout: 120_000,
    });
    // check says 0 (healthy) or 1 (a finding); anything else is a failed run, whose code is not wanted.
    if ((r.status !== 0 && r.status !== 1) || !existsSync(partial)) {
      rmSync(partial, { force: true });
      throw new Error(`code cache: the training check ended with ${r.status ?? r.signal ?? r.error?.message}: ${r.stderr}`);
    }
    renameSync(partial, out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** In the child: the launcher runs the CLI with these arguments; at exit, its Script's code is saved. */
async function train(launcher, out, args) {
  // Compiled from the source, not from a cache of an earlier build.
  process.env.VFIO_DOCTOR_CODE_CACHE = 'off';
  const file = path.resolve(launcher);
  process.argv = [process.argv[0], file, ...args];
  const { script, build } = await import(pathToFileURL(file).href);
  if (typeof build !== 'string') throw new Error(`code cache: ${file} names no build (the last line of vfio-doctor.cjs)`);
  process.on('exit', () => writeFileSync(out, Buffer.concat([Buffer.from(`${build}\n`, 'latin1'), script.createCachedData()])));
}

if (process.argv[1] === self) {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === '--train') await train(rest[0], rest[1], rest.slice(2));
  else await makeCodeCache('dist/vfio-doctor.mjs', 'dist/vfio-doctor.code-cache');
}
