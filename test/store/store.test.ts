import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectSnapshot } from '../../src/collect/collect.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { compareStored, parseSnapshotFileName, sanitiseLabel, snapshotFileName } from '../../src/store/naming.js';
import { baselineAndNewest, lastTwoBoots, listStored, saveSnapshot, StoreError } from '../../src/store/store.js';
import { runCli } from '../helpers/run-cli.js';
import { parseValidated } from '../helpers/json-output.js';

function tmp(t: { after: (fn: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-store-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

let empty: Promise<Snapshot> | null = null;
/** A real (if empty) collected snapshot with the fields the store names files by set as asked. */
async function snap(at: string, kernel: string | null, boot: string | null): Promise<Snapshot> {
  empty ??= (async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-store-root-'));
    try {
      return await collectSnapshot({ root });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  })();
  const s = structuredClone(await empty);
  s.collectedAt = at;
  s.host.kernelRelease = kernel;
  s.host.bootId = boot;
  return s;
}

const BOOT1 = '3f2a1c9e-5b7d-4e21-9a0c-1d2e3f405162';
const BOOT2 = '7b1d0c2a-8e9f-4a3b-b2c1-6d5e4f3a2b10';
const BOOT3 = 'c0ffee00-1111-4222-8333-444455556666';

const NAMES: [string, string, string | null, string | null, string | null, string][] = [
  ['plain', '2026-11-24T10:15:00.123Z', '6.8.12-4-pve', BOOT1, null, '20261124T101500Z_6.8.12-4-pve_3f2a1c9e.json'],
  ['labelled', '2026-11-24T10:15:00Z', '6.8.0-48-generic', BOOT2, 'before-upgrade', '20261124T101500Z_6.8.0-48-generic_7b1d0c2a_before-upgrade.json'],
  ['label sanitised', '2026-11-24T10:15:00Z', '6.8.0-48-generic', BOOT2, 'CR 4711: pre/6.8 update!', '20261124T101500Z_6.8.0-48-generic_7b1d0c2a_CR-4711-pre-6.8-update.json'],
  ['label with nothing usable', '2026-11-24T10:15:00Z', '6.8.0-48-generic', BOOT2, '日本', '20261124T101500Z_6.8.0-48-generic_7b1d0c2a_label.json'],
  ['kernel with an underscore', '2026-11-24T10:15:00Z', '6.1.0_rc1+', BOOT1, null, '20261124T101500Z_6.1.0-rc1+_3f2a1c9e.json'],
  ['unknown kernel and boot', '2026-11-24T10:15:00Z', null, null, null, '20261124T101500Z_unknown_unknown.json'],
  ['boot id without dashes', '2026-11-24T10:15:00Z', '6.8.12-4-pve', '3F2A1C9E5B7D4E219A0C1D2E3F405162', null, '20261124T101500Z_6.8.12-4-pve_3f2a1c9e.json'],
];

for (const [name, at, kernel, boot, label, expected] of NAMES) {
  test(`store naming: ${name}`, async () => {
    const s = await snap(at, kernel, boot);
    const file = snapshotFileName(s, label);
    assert.equal(file, expected);
    const parsed = parseSnapshotFileName(file);
    assert.ok(parsed);
    assert.equal(parsed.label, label === null ? null : sanitiseLabel(label));
    assert.equal(parseSnapshotFileName(snapshotFileName(s, label, 3))?.counter, 3);
  });
}

test('store naming: files that are not stored snapshots are ignored, order is by time then counter', () => {
  for (const f of ['notes.txt', '.20261124T101500Z_6.8_3f2a1c9e.json.123.ab12cd34.tmp', '20261124T101500Z_6.8_3f2a1c9e.json~', 'x.json']) assert.equal(parseSnapshotFileName(f), null, f);
  const names = ['20261124T101500Z_6.8_3f2a1c9e+2.json', '20261124T101500Z_6.8_3f2a1c9e.json', '20251231T235959Z_6.8_3f2a1c9e.json', '20261124T101500Z_6.8_3f2a1c9e+1.json'];
  const sorted = names.map((n) => parseSnapshotFileName(n)!).sort(compareStored).map((n) => n.file);
  assert.deepEqual(sorted, ['20251231T235959Z_6.8_3f2a1c9e.json', '20261124T101500Z_6.8_3f2a1c9e.json', '20261124T101500Z_6.8_3f2a1c9e+1.json', '20261124T101500Z_6.8_3f2a1c9e+2.json']);
});

test('store: saving creates the directory 0700, writes 0600 atomically, puts the label in the snapshot', async (t) => {
  const dir = path.join(tmp(t), 'var', 'lib', 'vfio-doctor', 'snapshots');
  const s = await snap('2026-11-24T10:15:00Z', '6.8.12-4-pve', BOOT1);
  const before = structuredClone(s);
  const r = saveSnapshot(s, { dir, label: 'baseline' });
  assert.equal(path.basename(r.file), '20261124T101500Z_6.8.12-4-pve_3f2a1c9e_baseline.json');
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  assert.equal(fs.statSync(r.file).mode & 0o777, 0o600);
  assert.deepEqual(fs.readdirSync(dir), [path.basename(r.file)], 'no temporary file left behind');
  const stored = JSON.parse(fs.readFileSync(r.file, 'utf8'));
  assert.equal(stored.label, 'baseline');
  assert.deepEqual(s, before, 'the caller\'s snapshot is not changed');
});

test('store: a name that is taken gets a counter; nothing is overwritten', async (t) => {
  const dir = tmp(t);
  const s1 = await snap('2026-11-24T10:15:00Z', '6.8.12-4-pve', BOOT1);
  const first = saveSnapshot(s1, { dir });
  const s2 = structuredClone(s1);
  s2.host.hostname = 'second';
  const second = saveSnapshot(s2, { dir });
  const third = saveSnapshot(s2, { dir });
  assert.equal(path.basename(second.file), '20261124T101500Z_6.8.12-4-pve_3f2a1c9e+1.json');
  assert.equal(path.basename(third.file), '20261124T101500Z_6.8.12-4-pve_3f2a1c9e+2.json');
  assert.equal(JSON.parse(fs.readFileSync(first.file, 'utf8')).host.hostname, s1.host.hostname);
  assert.equal(JSON.parse(fs.readFileSync(second.file, 'utf8')).host.hostname, 'second');
  assert.equal(fs.readdirSync(dir).length, 3);
  assert.ok(!fs.readdirSync(dir).some((f) => f.endsWith('.tmp')));
});

test('store: --keep removes the oldest unlabelled snapshots, never a labelled one', async (t) => {
  const dir = tmp(t);
  const base = await snap('2026-01-01T00:00:00Z', '6.8.12-1-pve', BOOT1);
  saveSnapshot(base, { dir, label: 'baseline' });
  fs.writeFileSync(path.join(dir, 'README'), 'not a snapshot\n');
  const saved: string[] = [];
  for (let i = 1; i <= 5; i++) {
    const s = await snap(`2026-01-0${i + 1}T00:00:00Z`, `6.8.12-${i}-pve`, `${i}0000000-0000-4000-8000-000000000000`);
    const r = saveSnapshot(s, { dir, keep: i === 5 ? 2 : null });
    saved.push(path.basename(r.file));
    if (i === 5) assert.deepEqual(r.removed.map((f) => path.basename(f)), saved.slice(0, 3));
  }
  const left = fs.readdirSync(dir).sort();
  assert.deepEqual(left, ['.vfio-doctor.pruned', '20260101T000000Z_6.8.12-1-pve_3f2a1c9e_baseline.json', ...saved.slice(3), 'README'].sort());
  assert.equal(fs.readFileSync(path.join(dir, '.vfio-doctor.pruned'), 'utf8'), saved.slice(0, 3).join('\n') + '\n', 'the removed names, recorded');
  assert.equal(fs.statSync(path.join(dir, '.vfio-doctor.pruned')).mode & 0o777, 0o600);
  // Retention with room to spare removes nothing.
  const r = saveSnapshot(await snap('2026-02-01T00:00:00Z', '6.8.12-6-pve', BOOT2), { dir, keep: 10 });
  assert.deepEqual(r.removed, []);
});

test('store: a name --keep removed is never handed out again, even to a save whose collection is older', async (t) => {
  const dir = tmp(t);
  const at = (s: string) => snap(s, '6.8.12-4-pve', BOOT1);
  const late = saveSnapshot(await at('2026-05-01T10:00:05Z'), { dir, keep: 1 }).file;
  // A slow collection, saved after the quicker one: it is kept (it was just written), the other goes.
  const slow = saveSnapshot(await at('2026-05-01T10:00:03Z'), { dir, keep: 1 });
  assert.deepEqual(slow.removed, [late]);
  // A third run collected in the same second as the removed one: not the removed name.
  const again = saveSnapshot(await at('2026-05-01T10:00:05Z'), { dir, keep: 1 });
  assert.equal(path.basename(again.file), '20260501T100005Z_6.8.12-4-pve_3f2a1c9e+1.json');
  assert.deepEqual(again.removed, [slow.file]);
  const fourth = saveSnapshot(await at('2026-05-01T10:00:03Z'), { dir, keep: 1 });
  assert.equal(path.basename(fourth.file), '20260501T100003Z_6.8.12-4-pve_3f2a1c9e+1.json');
  // Lines that are not snapshot names are ignored; a kept name's counter still counts.
  fs.appendFileSync(path.join(dir, '.vfio-doctor.pruned'), 'garbage line\n\n20260501T100005Z_6.8.12-4-pve_3f2a1c9e+7.json\n');
  const fifth = saveSnapshot(await at('2026-05-01T10:00:05Z'), { dir });
  assert.equal(path.basename(fifth.file), '20260501T100005Z_6.8.12-4-pve_3f2a1c9e+8.json');
});

test('store: a ledger of removed names that is a link or unreadable stops the save with one line', async (t) => {
  const dir = tmp(t);
  const s = await snap('2026-05-02T10:00:00Z', '6.8.12-4-pve', BOOT1);
  fs.symlinkSync('/etc/hostname', path.join(dir, '.vfio-doctor.pruned'));
  assert.throws(() => saveSnapshot(s, { dir }), (e: unknown) => e instanceof StoreError && /cannot read .*\.vfio-doctor\.pruned: /.test(e.message) && !e.message.includes('\n'));
  fs.rmSync(path.join(dir, '.vfio-doctor.pruned'));
  fs.mkdirSync(path.join(dir, '.vfio-doctor.pruned'));
  assert.throws(() => saveSnapshot(s, { dir }), (e: unknown) => e instanceof StoreError && /cannot read .*\.vfio-doctor\.pruned: /.test(e.message));
  assert.deepEqual(fs.readdirSync(dir), ['.vfio-doctor.pruned'], 'nothing saved, nothing left behind');
});

test('store: --last picks the newest snapshot and the newest one from another boot', async (t) => {
  const dir = tmp(t);
  const a = saveSnapshot(await snap('2026-03-01T08:00:00Z', '6.8.12-4-pve', BOOT1), { dir }).file;
  saveSnapshot(await snap('2026-03-01T09:00:00Z', '6.8.12-4-pve', BOOT1), { dir, label: 'manual' });
  const b1 = saveSnapshot(await snap('2026-03-02T08:00:00Z', '6.8.12-5-pve', BOOT2), { dir }).file;
  const b2 = saveSnapshot(await snap('2026-03-02T08:30:00Z', '6.8.12-5-pve', BOOT2), { dir }).file;
  let pair = lastTwoBoots(dir);
  assert.equal(pair.after, b2);
  assert.equal(path.basename(pair.before!), '20260301T090000Z_6.8.12-4-pve_3f2a1c9e_manual.json', 'the newest of the earlier boot, labelled or not');
  fs.rmSync(pair.before!);
  pair = lastTwoBoots(dir);
  assert.equal(pair.before, a);
  assert.notEqual(pair.before, b1);
  // A store with only one boot has nothing to compare with.
  const lone = tmp(t);
  saveSnapshot(await snap('2026-03-02T08:00:00Z', '6.8.12-5-pve', BOOT3), { dir: lone });
  saveSnapshot(await snap('2026-03-02T09:00:00Z', '6.8.12-5-pve', BOOT3), { dir: lone });
  assert.equal(lastTwoBoots(lone).before, null);
  assert.throws(() => lastTwoBoots(tmp(t)), (e: unknown) => e instanceof StoreError && /no saved snapshots/.test(e.message));
  assert.equal(listStored(dir).length, 3);
});

test('store: --baseline finds the newest snapshot with exactly that label', async (t) => {
  const dir = tmp(t);
  saveSnapshot(await snap('2026-03-01T08:00:00Z', '6.8.12-3-pve', BOOT1), { dir, label: 'pre upgrade' });
  const b = saveSnapshot(await snap('2026-03-02T08:00:00Z', '6.8.12-4-pve', BOOT1), { dir, label: 'pre upgrade' }).file;
  // Sanitises to the same name part, but is another label.
  saveSnapshot(await snap('2026-03-03T08:00:00Z', '6.8.12-4-pve', BOOT1), { dir, label: 'pre/upgrade' });
  const newest = saveSnapshot(await snap('2026-03-04T08:00:00Z', '6.8.12-5-pve', BOOT2), { dir }).file;
  const found = baselineAndNewest(dir, 'pre upgrade');
  assert.equal(found.baseline, b);
  assert.equal(found.newest, newest);
  assert.throws(() => baselineAndNewest(dir, 'nope'), /no snapshot labelled "nope"/);
  const solo = tmp(t);
  saveSnapshot(await snap('2026-03-01T08:00:00Z', '6.8.12-3-pve', BOOT1), { dir: solo, label: 'only' });
  assert.throws(() => baselineAndNewest(solo, 'only'), /is the newest snapshot/);
});

test('snapshot --save through the CLI: path on stdout, --label, --keep, default store under --root; diff --last and --baseline', async (t) => {
  const root = tmp(t);
  const store = path.join(tmp(t), 'snaps');
  const bad = await runCli(['snapshot', '--root', root, '--label', 'x']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /only apply with --save/);
  assert.match((await runCli(['snapshot', '--root', root, '--save', '-o', path.join(store, 'x.json')])).stderr, /exclude each other/);
  assert.match((await runCli(['snapshot', '--root', root, '--save', '--keep', '0'])).stderr, /--keep 0: expected a whole number/);

  const first = await runCli(['snapshot', '--root', root, '--save', '--dir', store, '--label', 'baseline']);
  assert.equal(first.code, 0, first.stderr);
  const firstFile = first.stdout.trim();
  assert.match(path.basename(firstFile), /^\d{8}T\d{6}Z_unknown_unknown_baseline\.json$/);
  assert.equal(JSON.parse(fs.readFileSync(firstFile, 'utf8')).label, 'baseline');

  const second = await runCli(['snapshot', '--root', root, '--save', '--dir', store, '--keep', '3']);
  assert.equal(second.code, 0, second.stderr);
  assert.notEqual(second.stdout.trim(), firstFile);

  // Unknown boot ids count as different boots: --last compares the two.
  const last = await runCli(['diff', '--last', '--dir', store, '--json']);
  assert.equal(last.code, 0, last.stderr);
  const r = parseValidated('diff', last.stdout);
  assert.equal(r.before.file, firstFile);
  assert.equal(r.before.label, 'baseline');
  assert.equal(r.after.file, second.stdout.trim());
  // Each side on one line, as a terminal wide enough shows it (the store's paths are long).
  const base = await runCli(['diff', '--baseline', 'baseline', '--dir', store], { env: { COLUMNS: '400' } });
  assert.equal(base.code, 0, base.stderr);
  assert.match(base.stdout, /label "baseline"/);

  // Without --dir, --root puts the store inside the tree.
  const inRoot = await runCli(['snapshot', '--root', root, '--save']);
  assert.equal(inRoot.code, 0, inRoot.stderr);
  assert.equal(path.dirname(inRoot.stdout.trim()), path.join(root, 'var/lib/vfio-doctor/snapshots'));
  const lone = await runCli(['diff', '--last', '--root', root]);
  assert.equal(lone.code, 2);
  assert.match(lone.stderr, /no snapshot from an earlier boot in .* to compare/);
  const loneSummary = await runCli(['diff', '--last', '--summary', '--root', root]);
  assert.equal(loneSummary.code, 0);
  assert.match(loneSummary.stdout, /^vfio-doctor diff: no snapshot from an earlier boot/);

  // A corrupt stored snapshot is named.
  fs.writeFileSync(second.stdout.trim(), '{"truncated');
  const corrupt = await runCli(['diff', '--last', '--dir', store]);
  assert.equal(corrupt.code, 2);
  assert.match(corrupt.stderr, new RegExp(`${path.basename(second.stdout.trim()).replace(/[.+]/g, '\\$&')}: not valid JSON`));
});

test('snapshot --save into a directory it cannot create: one line, exit 2', async (t) => {
  const root = tmp(t);
  const file = path.join(root, 'plain-file');
  fs.writeFileSync(file, 'x');
  const r = await runCli(['snapshot', '--root', root, '--save', '--dir', path.join(file, 'sub')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^vfio-doctor snapshot: cannot create .*plain-file\/sub: /);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});
