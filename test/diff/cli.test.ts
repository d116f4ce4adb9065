import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { overlongLines, words } from '../helpers/text-width.js';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/command.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { BOOT_B, GPU, collectHost, hostSpec, mutate } from './support/hosts.js';
import { parseValidated } from '../helpers/json-output.js';

function tmp(t: { after: (fn: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-diff-cli-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

let pair: Promise<[Snapshot, Snapshot]> | null = null;
/** A healthy host and the same host after an update that claimed the GPU for nouveau. */
function snapshots(): Promise<[Snapshot, Snapshot]> {
  pair ??= (async () => {
    const a = await collectHost(hostSpec());
    const b = mutate(a, (c) => {
      c.host.kernelRelease = '6.8.12-5-pve';
      c.pci.find((d) => d.address === GPU)!.driver = 'nouveau';
    });
    return [a, b];
  })();
  return pair;
}

function write(dir: string, name: string, s: unknown): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, typeof s === 'string' ? s : JSON.stringify(s));
  return f;
}

async function withTty(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const io: Io = { stdout: (t) => void (stdout += t), stderr: () => undefined, readStdin: async () => Buffer.alloc(0), env, isTty: true, cwd: process.cwd() };
  const code = await main(args, io);
  return { code, stdout };
}

test('diff A B: exit 1 on a regression, 0 without; text, --json, --markdown, --summary', async (t) => {
  const dir = tmp(t);
  const [a, b] = await snapshots();
  const fa = write(dir, 'a.json', a);
  const fb = write(dir, 'b.json', b);

  // Each fact on one line, as a terminal wide enough shows it; at the default 80 columns, nothing wider.
  const text = await runCli(['diff', fa, fb], { env: { COLUMNS: '300' } });
  assert.equal(text.code, 1, text.stderr);
  const at80 = await runCli(['diff', fa, fb]);
  assert.deepEqual(overlongLines(at80.stdout, 80), []);
  assert.equal(words(at80.stdout), words(text.stdout));
  assert.match(text.stdout, /before: .*kernel 6\.8\.12-4-pve.*\(.*a\.json\)/);
  assert.match(text.stdout, /REGRESSION\s+0000:03:00\.0 .* \(target\): driver vfio-pci → nouveau/);
  assert.match(text.stdout, /│ driver in use: vfio-pci → nouveau/);

  const json = await runCli(['diff', fa, fb, '--json']);
  assert.equal(json.code, 1);
  const r = parseValidated('diff', json.stdout);
  assert.equal(r.tool.name, 'vfio-doctor');
  assert.equal(r.counts.regression, 1, JSON.stringify(r.changes.map((c: { id: string }) => c.id)));
  assert.equal(r.firstRegressionLayer, 'binding');
  const drv = r.changes.find((c) => c.id === 'driver-changed' && c.subject === GPU);
  assert.ok(drv, 'a driver-changed change for the GPU');
  assert.deepEqual(
    { layer: drv.layer, kind: drv.kind, cause: drv.cause, evidence: drv.evidence[0] },
    { layer: 'binding', kind: 'regression', cause: 'host-driver-bound', evidence: { what: 'driver in use', before: 'vfio-pci', after: 'nouveau', source: `/sys/bus/pci/devices/${GPU}/driver` } },
  );
  assert.equal(r.before.file, fa);
  assert.equal(r.after.bootId, BOOT_B);

  const md = await runCli(['diff', fa, fb, '--markdown']);
  assert.equal(md.code, 1);
  assert.match(md.stdout, /- \*\*result:\*\* ❌ 1 regression \(first at the binding layer\)/);
  assert.match(md.stdout, /driver in use: `vfio-pci` → `nouveau`/);

  const same = await runCli(['diff', fa, fa]);
  assert.equal(same.code, 0);
  assert.match(same.stdout, /RESULT: 0 regressions, 0 improvements, 0 neutral/);
  const back = await runCli(['diff', fb, fa, '--summary']);
  assert.equal(back.code, 0);
  assert.match(back.stdout, /^vfio-doctor diff: 6\.8\.12-5-pve \(boot 7b1d0c2a\) → 6\.8\.12-4-pve \(boot 3f2a1c9e\): no regression; 1 improvement, 1 neutral\n$/);
});

test('diff: colour on a terminal, none with NO_COLOR or TERM=dumb', async (t) => {
  const dir = tmp(t);
  const [a, b] = await snapshots();
  const fa = write(dir, 'a.json', a);
  const fb = write(dir, 'b.json', b);
  assert.match((await withTty(['diff', fa, fb], {})).stdout, /\x1b\[31m/);
  assert.doesNotMatch((await withTty(['diff', fa, fb], { NO_COLOR: '1' })).stdout, /\x1b\[/);
  assert.doesNotMatch((await withTty(['diff', fa, fb], { TERM: 'dumb' })).stdout, /\x1b\[/);
  // Machine formats never carry colour.
  assert.doesNotMatch((await withTty(['diff', fa, fb, '--markdown'], {})).stdout, /\x1b\[/);
});

test('diff --device makes a function a target', async (t) => {
  const dir = tmp(t);
  const [a] = await snapshots();
  const b = mutate(a, (c) => {
    c.pci.find((d) => d.address === '0000:02:00.0')!.driver = 'igc';
  });
  const fa = write(dir, 'a.json', a);
  const fb = write(dir, 'b.json', b);
  assert.equal((await runCli(['diff', fa, fb])).code, 0);
  const r = await runCli(['diff', fa, fb, '--device', '02:00.0', '--json']);
  assert.equal(r.code, 0, 'igb → igc is host driver to host driver: no regression even for a target');
  const c = parseValidated('diff', r.stdout).changes.find((x: { id: string }) => x.id === 'driver-changed');
  assert.match(c!.title, /\(target\)/);
});

test('diff: bad usage and unreadable input give one line and exit 2', async (t) => {
  const dir = tmp(t);
  const [a] = await snapshots();
  const good = write(dir, 'good.json', a);
  const corrupt = write(dir, 'corrupt.json', '{"schemaVersion": 1, "tool": {"name": "vfio-doc');
  const old = write(dir, 'old.json', { ...a, schemaVersion: 0, tool: { name: 'vfio-doctor', version: '0.0.1' } });
  const newer = write(dir, 'newer.json', { ...a, schemaVersion: 3, tool: { name: 'vfio-doctor', version: '9.0.0' } });
  const notOurs = write(dir, 'other.json', { hello: 'world' });
  const shapeless = write(dir, 'shapeless.json', { ...a, pci: 'nope' });
  const cases: [string[], RegExp][] = [
    [['diff'], /give two snapshot files, or --last, or --baseline LABEL/],
    [['diff', good], /expected two snapshot files \(before and after\), got 1/],
    [['diff', good, good, good], /expected two snapshot files \(before and after\), got 3/],
    [['diff', good, good, '--last'], /exactly one of them/],
    [['diff', '--last', '--baseline', 'x'], /exactly one of them/],
    [['diff', good, good, '--json', '--markdown'], /exclude each other/],
    [['diff', good, good, '--dir', dir], /not with two files/],
    [['diff', good, good, '--device', 'zz'], /not a PCI address/],
    [['diff', good, good, '--bogus'], /unknown option '--bogus'/],
    [['diff', good, corrupt], /corrupt\.json: not valid JSON/],
    [['diff', old, good], /old\.json: snapshot schemaVersion 0 is not supported \(this vfio-doctor reads schemaVersion 1 to 2; it was written by vfio-doctor 0\.0\.1\)/],
    [['diff', good, newer], /newer\.json: snapshot schemaVersion 3 is not supported/],
    [['diff', notOurs, good], /other\.json: not a vfio-doctor snapshot/],
    [['diff', good, shapeless], /shapeless\.json: field "pci" must be an array \(found a string "nope"\)/],
    [['diff', path.join(dir, 'missing.json'), good], /missing\.json: no such file/],
    [['diff', dir, good], /: is a directory/],
    [['diff', '--last', '--dir', path.join(dir, 'nowhere')], /nowhere: no such directory/],
  ];
  for (const [args, re] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.match(r.stderr, /^vfio-doctor diff: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(r.stdout, '');
  }
});
