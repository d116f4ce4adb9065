import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { VERSION } from '../../src/version.js';
import { repoRoot } from '../helpers/paths.js';
import { parseValidated } from '../helpers/json-output.js';

function tmp(t: { after: (fn: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-cli-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

test('version in src/version.ts equals package.json', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  assert.equal(VERSION, pkg.version);
});

test('snapshot of an empty --root: succeeds, every source says absent', async (t) => {
  const root = tmp(t);
  const r = await runCli(['snapshot', '--root', root]);
  assert.equal(r.code, 0, r.stderr);
  const s = parseValidated('snapshot', r.stdout);
  assert.equal(s.schemaVersion, 2);
  assert.deepEqual(s.pci, []);
  assert.equal(s.sources['proc/cmdline'].status, 'absent');
  assert.equal(s.sources['kernel-log'].status, 'absent');
  assert.equal(s.iommu.groups, null);
});

test('snapshot -o writes atomically, refuses to overwrite, --force replaces', async (t) => {
  const root = tmp(t);
  const out = path.join(tmp(t), 'snap.json');
  let r = await runCli(['snapshot', '--root', root, '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  const first = fs.readFileSync(out, 'utf8');
  assert.equal(parseValidated('snapshot', first).tool.name, 'vfio-doctor');
  r = await runCli(['snapshot', '--root', root, '-o', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /already exists \(use --force/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  r = await runCli(['snapshot', '--root', root, '-o', out, '--force']);
  assert.equal(r.code, 0);
  assert.deepEqual(fs.readdirSync(path.dirname(out)), ['snap.json'], 'no temporary file left behind');
  r = await runCli(['snapshot', '--root', root, '-o', path.join(root, 'no', 'such', 'dir', 'x.json')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot write .*directory does not exist/);
});

test('bad usage and bad input: one line, exit 2, no stack trace', async (t) => {
  const dir = tmp(t);
  const cases: [string[], RegExp][] = [
    [['snapshot', '--root', path.join(dir, 'missing')], /--root .*: no such directory/],
    [['snapshot', '--bogus'], /unknown option '--bogus'/],
    [['check', '--device', 'zz:zz'], /not a PCI address/],
    [['check', '--ids', '10de'], /expected VVVV:DDDD/],
    [['nosuchcommand'], /unknown command/],
  ];
  for (const [args, re] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const corrupt = path.join(dir, 'corrupt.json');
  fs.writeFileSync(corrupt, '{"schemaVersion": 1, "tool": {"name": "vfio-doc');
  let r = await runCli(['check', '--snapshot', corrupt]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /corrupt\.json: not valid JSON/);
  const future = path.join(dir, 'future.json');
  fs.writeFileSync(future, JSON.stringify({ schemaVersion: 99, tool: { name: 'vfio-doctor', version: '9.0.0' } }));
  r = await runCli(['check', '--snapshot', future]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /future\.json: snapshot schemaVersion 99 is not supported/);
  const other = path.join(dir, 'other.json');
  fs.writeFileSync(other, '[1,2,3]');
  r = await runCli(['check', '--snapshot', other]);
  assert.match(r.stderr, /not a vfio-doctor snapshot/);
  r = await runCli(['check', '--snapshot', path.join(dir, 'nope.json')]);
  assert.match(r.stderr, /nope\.json: no such file/);
});

test('check --snapshot of a saved snapshot gives the same verdict as check --root', async (t) => {
  const root = tmp(t);
  const file = path.join(tmp(t), 's.json');
  assert.equal((await runCli(['snapshot', '--root', root, '-o', file])).code, 0);
  const a = parseValidated('report', (await runCli(['check', '--root', root, '--json'])).stdout);
  const b = parseValidated('report', (await runCli(['check', '--snapshot', file, '--json'])).stdout);
  assert.deepEqual(a.verdict, b.verdict);
});

test('help lists the commands; --version prints the version', async () => {
  const h = await runCli(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /check\s+diagnose/);
  assert.match(h.stdout, /snapshot\s+read the host/);
  assert.equal((await runCli(['--version'])).stdout.trim(), VERSION);
});
