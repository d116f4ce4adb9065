// dist/vfio-doctor.mjs starts dist/vfio-doctor.cjs with the code V8 compiled for it at build time
// (scripts/launcher.mjs, scripts/code-cache.mjs). The cache may only make a run faster: with it, without
// it, with one of another build, with a damaged one, or turned off, every run prints the same as the
// compiled sources, and the launcher says (VFIO_DOCTOR_CODE_CACHE=report) what it did with the cache.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { buildHost } from '../fixtures/host-builder.js';
import { amdWorkstation } from '../fixtures/hosts.js';

const dist = path.join(repoRoot, 'dist');
const sources = path.join(repoRoot, 'build/src/cli/bin.js');
const FILES = ['vfio-doctor.mjs', 'vfio-doctor.cjs', 'vfio-doctor.code-cache'];

function run(script: string, args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1', COLUMNS: '100', ...env } });
  const mask = (s: string) => s.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>');
  return { status: r.status, stdout: mask(r.stdout), stderr: mask(r.stderr) };
}

/** A copy of dist's three files, changed by `change`. */
function copyOfDist(work: string, name: string, change: (dir: string) => void): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  for (const f of FILES) fs.copyFileSync(path.join(dist, f), path.join(dir, f));
  change(dir);
  return path.join(dir, 'vfio-doctor.mjs');
}

test('the built code cache belongs to the built file and is used', (t) => {
  if (!FILES.every((f) => fs.existsSync(path.join(dist, f)))) return t.skip('no dist: run npm run build first');
  const launcher = path.join(dist, 'vfio-doctor.mjs');
  const cjs = fs.readFileSync(path.join(dist, 'vfio-doctor.cjs'), 'latin1');
  const stamp = /\n\/\/ vfio-doctor build ([0-9a-f]{64})\n$/.exec(cjs);
  assert.ok(stamp, 'vfio-doctor.cjs ends with its build stamp');
  assert.equal(fs.readFileSync(path.join(dist, 'vfio-doctor.code-cache')).toString('latin1', 0, 65), `${stamp[1]}\n`);
  const quiet = run(launcher, ['--version']);
  assert.equal(quiet.stderr, '', 'nothing said of the cache unless asked');
  const told = run(launcher, ['--version'], { VFIO_DOCTOR_CODE_CACHE: 'report' });
  assert.equal(told.stderr, 'vfio-doctor: code cache used\n');
  assert.equal(told.stdout, quiet.stdout);
});

test('with the cache, without it, of another build, damaged, or off: the same output as the sources', async (t) => {
  if (!FILES.every((f) => fs.existsSync(path.join(dist, f)))) return t.skip('no dist: run npm run build first');
  const work = tempDir('code-cache', t);
  const host = await buildHost(amdWorkstation, path.join(work, 'host'));
  const cache = (dir: string) => path.join(dir, 'vfio-doctor.code-cache');
  // said: what the launcher reports of the cache; null when it is off (and says nothing).
  const variants: { name: string; launcher: string; env?: Record<string, string>; said: string | null }[] = [
    { name: 'as built', launcher: copyOfDist(work, 'built', () => {}), said: 'used' },
    { name: 'no cache', launcher: copyOfDist(work, 'none', (d) => fs.rmSync(cache(d))), said: 'not used (none beside vfio-doctor.cjs)' },
    {
      name: 'a cache of another build',
      launcher: copyOfDist(work, 'other', (d) => {
        const c = fs.readFileSync(cache(d));
        c.write('0'.repeat(64), 0, 'latin1');
        fs.writeFileSync(cache(d), c);
      }),
      said: 'not used (made for another build of vfio-doctor.cjs)',
    },
    {
      name: 'a damaged cache of this build',
      launcher: copyOfDist(work, 'damaged', (d) => {
        const c = fs.readFileSync(cache(d));
        fs.writeFileSync(cache(d), Buffer.concat([c.subarray(0, 65), Buffer.alloc(c.length - 65, 0x5a)]));
      }),
      said: 'rejected by V8 (another Node.js, or other V8 flags)',
    },
    {
      name: 'a cache cut short',
      launcher: copyOfDist(work, 'short', (d) => fs.writeFileSync(cache(d), fs.readFileSync(cache(d)).subarray(0, 10))),
      said: 'not used (no build stamp at its start: cut short, or not a code cache of vfio-doctor)',
    },
    {
      name: 'a directory where the cache belongs',
      launcher: copyOfDist(work, 'directory', (d) => {
        fs.rmSync(cache(d));
        fs.mkdirSync(cache(d));
      }),
      said: 'not used (EISDIR)',
    },
    {
      name: 'a vfio-doctor.cjs without its build stamp',
      launcher: copyOfDist(work, 'unstamped', (d) => {
        const cjs = path.join(d, 'vfio-doctor.cjs');
        fs.writeFileSync(cjs, fs.readFileSync(cjs, 'latin1').replace(/\/\/ vfio-doctor build [0-9a-f]{64}\n$/, ''), 'latin1');
      }),
      said: 'not used (vfio-doctor.cjs does not end with its build stamp)',
    },
    { name: 'turned off', launcher: copyOfDist(work, 'off', () => {}), env: { VFIO_DOCTOR_CODE_CACHE: 'off' }, said: null },
  ];
  for (const args of [['check', '--root', host], ['check', '--root', host, '--json'], ['decode', path.join(host, 'var/log/kern.log')], ['no-such-command']]) {
    const want = run(sources, args);
    assert.ok(want.stdout.length > 0 || want.stderr.length > 0);
    assert.deepEqual(run(path.join(dist, 'vfio-doctor.cjs'), args), want, `vfio-doctor.cjs run alone, ${args.join(' ')}`);
    for (const v of variants) {
      assert.deepEqual(run(v.launcher, args, v.env), want, `${v.name}: ${args.join(' ')}`);
      if (v.said === null) continue;
      const told = run(v.launcher, args, { VFIO_DOCTOR_CODE_CACHE: 'report' });
      assert.equal(told.stderr, `vfio-doctor: code cache ${v.said}\n${want.stderr}`, `${v.name}: ${args.join(' ')}`);
    }
  }
});

test('a launcher without vfio-doctor.cjs beside it says so in one line', (t) => {
  if (!FILES.every((f) => fs.existsSync(path.join(dist, f)))) return t.skip('no dist: run npm run build first');
  const work = tempDir('code-cache-alone', t);
  const launcher = copyOfDist(work, 'alone', (d) => fs.rmSync(path.join(d, 'vfio-doctor.cjs')));
  const r = run(launcher, ['--version']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^vfio-doctor: cannot read \S+\/vfio-doctor\.cjs \(ENOENT\): the CLI's code, which belongs beside \S+\/vfio-doctor\.mjs; reinstall vfio-doctor\n$/);
});
