import test, { type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { repoRoot } from '../helpers/paths.js';
import { findTool } from '../helpers/tools.js';
import { parseValidated } from '../helpers/json-output.js';

const CLI = path.join(repoRoot, 'dist', 'vfio-doctor.mjs');

function tmp(t: { after: (fn: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-store-race-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('parallel snapshot --save --keep 3: every save reports its own name, and the store ends with 3', async (t) => {
  const root = tmp(t);
  const store = path.join(tmp(t), 'snaps');
  // Same host, same second: the names collide and the counters decide.
  const runs = await Promise.all(Array.from({ length: 8 }, () => cli(['snapshot', '--root', root, '--save', '--dir', store, '--keep', '3'])));
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const reported = runs.map((r) => r.stdout.trim());
  assert.equal(new Set(reported).size, reported.length, `a name was reported twice: ${reported.join(' ')}`);
  const left = fs.readdirSync(store).filter((f) => f !== '.vfio-doctor.pruned').sort();
  assert.equal(left.length, 3, left.join(' '));
  // Every name given out and later removed is on record, so none can be given out again.
  const pruned = fs.readFileSync(path.join(store, '.vfio-doctor.pruned'), 'utf8').trim().split('\n').sort();
  assert.deepEqual([...left, ...pruned].sort(), reported.map((p) => path.basename(p)).sort());
  for (const f of left) assert.match(f, /^\d{8}T\d{6}Z_unknown_unknown(\+\d+)?\.json$/);
  // The survivors are the last three saves, and each of them was reported by exactly one run.
  for (const f of left) assert.equal(reported.filter((p) => path.basename(p) === f).length, 1);
});

/**
 * An empty host and a sticky store of root's writable by all, and a way to run `snapshot --save` in it as
 * nobody; null (the test skipped) without root or setpriv.
 */
function sharedStore(t: TestContext): { store: string; saveAsNobody: (extra: string[]) => SpawnSyncReturns<string> } | null {
  const setpriv = findTool('setpriv');
  if (!setpriv || process.getuid?.() !== 0) {
    t.skip('needs root and setpriv (util-linux) to run the CLI as nobody');
    return null;
  }
  const root = tmp(t);
  const parent = tmp(t);
  fs.chmodSync(root, 0o755);
  fs.chmodSync(parent, 0o755);
  const store = path.join(parent, 'snaps');
  // Sticky: nobody may add snapshots but not remove or replace root's files.
  fs.mkdirSync(store);
  fs.chmodSync(store, 0o1777);
  const saveAsNobody = (extra: string[]) =>
    spawnSync(setpriv, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'snapshot', '--root', root, '--save', '--dir', store, ...extra], { encoding: 'utf8', timeout: 60_000 });
  return { store, saveAsNobody };
}

test('a save whose pruning fails still prints the saved path; exit 2 with the reason', (t) => {
  const shared = sharedStore(t);
  if (!shared) return;
  const { store } = shared;
  const old = ['20200101T000000Z_6.1.0_unknown.json', '20200102T000000Z_6.1.0_unknown.json'];
  for (const f of old) fs.writeFileSync(path.join(store, f), '{}\n');
  const r = shared.saveAsNobody(['--keep', '1']);
  assert.equal(r.status, 2, r.stderr);
  const saved = r.stdout.trim();
  assert.match(path.basename(saved), /^\d{8}T\d{6}Z_unknown_unknown\.json$/);
  assert.equal(fs.statSync(saved).isFile(), true);
  assert.match(r.stderr, /snapshot saved/);
  assert.match(r.stderr, /--keep 1 could not prune the store: cannot remove .*20200101T000000Z_6\.1\.0_unknown\.json: operation not permitted/);
  assert.doesNotMatch(r.stderr, /internal error|EPERM/);
  for (const f of old) assert.equal(fs.existsSync(path.join(store, f)), true);
});

test('a save by a user who cannot read the store\'s record of removed names: one line, exit 2, nothing saved', (t) => {
  const shared = sharedStore(t);
  if (!shared) return;
  const { store } = shared;
  // root's ledger, private as the store writes it: nobody cannot tell which names were handed out.
  fs.writeFileSync(path.join(store, '.vfio-doctor.pruned'), '20200101T000000Z_6.1.0_unknown.json\n', { mode: 0o600 });
  const r = shared.saveAsNobody([]);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^vfio-doctor snapshot: cannot read .*\.vfio-doctor\.pruned: permission denied \(run as root\)\n$/);
  assert.deepEqual(fs.readdirSync(store), ['.vfio-doctor.pruned'], 'nothing saved, no lock left');
});

test('strangers in the store (a directory with a snapshot name, other files) do not block diff --last', async (t) => {
  const root = tmp(t);
  const store = path.join(tmp(t), 'snaps');
  const a = await runCli(['snapshot', '--root', root, '--save', '--dir', store]);
  const b = await runCli(['snapshot', '--root', root, '--save', '--dir', store]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  fs.mkdirSync(path.join(store, '29991231T235959Z_6.1.0_unknown.json'));
  fs.symlinkSync('/etc/hostname', path.join(store, '29991231T235958Z_6.1.0_unknown.json'));
  fs.writeFileSync(path.join(store, 'notes.txt'), 'kept by hand\n');
  const r = await runCli(['diff', '--last', '--dir', store, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = parseValidated('diff', r.stdout);
  assert.equal(j.after.file, b.stdout.trim());
  assert.equal(j.before.file, a.stdout.trim());
  // --keep leaves the strangers alone.
  const c = await runCli(['snapshot', '--root', root, '--save', '--dir', store, '--keep', '1']);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(
    fs.readdirSync(store).filter((f) => !f.startsWith('2999')).sort(),
    [path.basename(c.stdout.trim()), 'notes.txt', '.vfio-doctor.pruned'].sort(),
  );
  assert.equal(fs.statSync(path.join(store, '29991231T235959Z_6.1.0_unknown.json')).isDirectory(), true);
});
