import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { repoRoot } from '../helpers/paths.js';
import { findTool } from '../helpers/tools.js';

// Inputs named on the command line that never end or are not files: each is refused with one line at
// once; standard input is read only up to the cap.

function tmp(t: { after: (fn: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-input-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

async function snapshotFile(dir: string): Promise<string> {
  const root = path.join(dir, 'root');
  fs.mkdirSync(root);
  const file = path.join(dir, 'good.json');
  const r = await runCli(['snapshot', '--root', root, '-o', file]);
  assert.equal(r.code, 0, r.stderr);
  return file;
}

function oneLine(r: { code: number; stderr: string }, re: RegExp, what: string): void {
  assert.equal(r.code, 2, `${what}: ${r.stderr}`);
  assert.match(r.stderr, re, what);
  assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line`);
}

test('a named FIFO with no writer is refused at once by analyze, check --snapshot, diff and decode', { timeout: 60_000 }, async (t) => {
  const dir = tmp(t);
  const fifo = path.join(dir, 'pipe');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const good = await snapshotFile(dir);
  oneLine(await runCli(['analyze', fifo]), /pipe: a FIFO, not a regular file \(to analyse a stream, pipe it: \.\.\. \| vfio-doctor analyze -\)/, 'analyze');
  oneLine(await runCli(['check', '--snapshot', fifo]), /pipe: a FIFO, not a regular file/, 'check --snapshot');
  oneLine(await runCli(['diff', good, fifo]), /pipe: a FIFO, not a regular file/, 'diff');
  oneLine(await runCli(['decode', fifo]), /pipe: cannot read: a FIFO, not a regular file \(to decode a stream/, 'decode');
});

test('/dev/zero is refused as a device, not read until memory runs out', { timeout: 60_000 }, async () => {
  oneLine(await runCli(['check', '--snapshot', '/dev/zero']), /\/dev\/zero: a character device, not a regular file/, 'check --snapshot');
  oneLine(await runCli(['analyze', '/dev/zero']), /\/dev\/zero: a character device/, 'analyze');
  oneLine(await runCli(['decode', '/dev/zero']), /\/dev\/zero: cannot read: a character device/, 'decode');
});

test('a 200 MB binary is refused from its first block, a file over the cap before it is read', { timeout: 60_000 }, async (t) => {
  const dir = tmp(t);
  const bin = path.join(dir, 'big.bin');
  // Sparse: all NUL bytes, costing no disk.
  fs.writeFileSync(bin, '');
  fs.truncateSync(bin, 200 << 20);
  oneLine(await runCli(['analyze', bin]), /big\.bin: binary data, not command output/, 'analyze');
  oneLine(await runCli(['check', '--snapshot', bin]), /big\.bin: binary data, not a vfio-doctor snapshot/, 'check --snapshot');
  const huge = path.join(dir, 'huge.txt');
  fs.writeFileSync(huge, '00:02.0 VGA compatible controller: Intel Corporation\n');
  fs.truncateSync(huge, 300 << 20);
  oneLine(await runCli(['analyze', huge]), /huge\.txt: input larger than 256 MiB, not read/, 'analyze');
  oneLine(await runCli(['check', '--snapshot', huge]), /huge\.txt: input larger than 256 MiB, not read/, 'check --snapshot');
});

test('endless standard input (yes | analyze -) stops at the cap with one line', { timeout: 120_000 }, async (t) => {
  const yes = findTool('yes');
  if (!yes) return t.skip('yes (coreutils) not installed');
  const producer = spawn(yes, ['00:02.0 VGA compatible controller [0300]: Intel Corporation [8086:3e92]'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const cli = spawn(process.execPath, [path.join(repoRoot, 'dist', 'vfio-doctor.mjs'), 'analyze', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
  producer.stdout.pipe(cli.stdin);
  // yes ends with EPIPE once the reader has given up.
  cli.stdin.on('error', () => undefined);
  t.after(() => producer.kill('SIGKILL'));
  let stderr = '';
  cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  cli.stdout.resume();
  const code = await new Promise<number | null>((resolve) => cli.on('close', (c) => resolve(c)));
  assert.equal(code, 2, stderr);
  assert.equal(stderr, 'vfio-doctor analyze: standard input: input larger than 256 MiB, not read\n');
});
