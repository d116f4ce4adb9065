import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildHost } from '../fixtures/host-builder.js';
import { intelDesktop } from '../fixtures/hosts.js';
import { repoRoot } from '../helpers/paths.js';
import { requireTool } from '../helpers/tools.js';

// The read-only promise, proven on the system-call level: the commands that only diagnose run under
// strace -f (helpers they start included) and must not attempt one write-mode open, unlink, rename,
// mkdir, rmdir, chmod, chown, link, symlink or truncate, on this live host or on a fixture --root.
// Standard output and error are inherited descriptors, never opened, so they need no exception.

const CLI = path.join(repoRoot, 'dist', 'vfio-doctor.mjs');

const MUTATING = [
  'unlink', 'unlinkat', 'rename', 'renameat', 'renameat2', 'mkdir', 'mkdirat', 'rmdir', 'chmod', 'fchmod', 'fchmodat',
  'chown', 'fchown', 'fchownat', 'lchown', 'link', 'linkat', 'symlink', 'symlinkat', 'truncate', 'mknod', 'mknodat',
];
const OPENS = ['open', 'openat', 'openat2', 'creat'];
const WRITE_FLAGS = /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND/;
// A terminal is not a file on the host: helpers (journalctl's pager check) may probe it.
const ALLOWED_WRITE_OPENS = new Set(['/dev/null', '/dev/tty']);

interface Attempt {
  pid: string;
  line: string;
}

/** The write attempts in an strace -f log (failed attempts count: trying is the breach). */
export function writeAttempts(trace: string): Attempt[] {
  const out: Attempt[] = [];
  for (const line of trace.split('\n')) {
    const m = /^(\d+)\s+([a-z0-9_]+)\((.*)$/.exec(line);
    if (!m) continue;
    const [, pid, call, rest] = m as unknown as [string, string, string, string];
    if (MUTATING.includes(call)) out.push({ pid, line });
    else if (OPENS.includes(call) && (call === 'creat' || WRITE_FLAGS.test(rest))) {
      const file = /"((?:[^"\\]|\\.)*)"/.exec(rest)?.[1];
      if (file === undefined || !ALLOWED_WRITE_OPENS.has(file)) out.push({ pid, line });
    }
  }
  return out;
}

function traced(args: string[], cwd: string): { code: number | null; attempts: Attempt[]; trace: string } | { skip: string } {
  const strace = requireTool('strace', 'strace');
  if (typeof strace !== 'string') return strace;
  const log = path.join(cwd, 'trace.txt');
  const r = spawnSync(strace, ['-f', '-qq', '-o', log, '-e', `trace=${[...OPENS, ...MUTATING].join(',')}`, process.execPath, CLI, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (!fs.existsSync(log)) {
    if (process.env['CI'] === 'true') throw new Error(`strace could not trace here: ${r.stderr.trim()}`);
    return { skip: `strace cannot trace here (${r.stderr.trim().split('\n')[0]})` };
  }
  const trace = fs.readFileSync(log, 'utf8');
  fs.rmSync(log);
  return { code: r.status, attempts: writeAttempts(trace), trace };
}

test('the write-attempt filter recognises what it must', () => {
  const sample = [
    '100 openat(AT_FDCWD, "/sys/bus/pci/devices", O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY) = 21',
    '100 openat(AT_FDCWD, "/etc/x.json", O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW, 0644) = 22',
    '101 openat(AT_FDCWD, "/dev/tty", O_RDWR|O_NOCTTY) = -1 ENXIO (No such device or address)',
    '100 renameat2(AT_FDCWD, "/a", AT_FDCWD, "/b", RENAME_NOREPLACE) = 0',
    '100 unlink("/tmp/x" <unfinished ...>',
    '100 open("/var/log/kern.log", O_RDONLY) = 3',
  ].join('\n');
  assert.deepEqual(
    writeAttempts(sample).map((a) => a.line.split('(')[0]),
    ['100 openat', '100 renameat2', '100 unlink'],
  );
});

const LIVE: string[][] = [['check'], ['preflight'], ['snapshot']];

test('check, analyze, preflight and snapshot (to stdout) attempt no write on this live host', { timeout: 900_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-readonly-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const paste = path.join(dir, 'paste.txt');
  fs.writeFileSync(paste, '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU106 [10de:1f08] (rev a1)\n\tKernel driver in use: nouveau\n');
  for (const args of [...LIVE, ['analyze', paste]]) {
    const r = traced(args, dir);
    if ('skip' in r) return t.skip(r.skip);
    assert.ok(r.code === 0 || r.code === 1 || r.code === 2, `${args.join(' ')} ran (exit ${r.code})`);
    assert.deepEqual(r.attempts.map((a) => a.line), [], `vfio-doctor ${args.join(' ')} attempted to write`);
  }
});

test('check, preflight and snapshot of a fixture --root attempt no write', { timeout: 900_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-readonly-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const root = await buildHost(intelDesktop, path.join(dir, 'host'));
  for (const args of [['check', '--root', root], ['preflight', '--root', root], ['snapshot', '--root', root]]) {
    const r = traced(args, dir);
    if ('skip' in r) return t.skip(r.skip);
    assert.ok(r.code === 0 || r.code === 1 || r.code === 2, `${args.join(' ')} ran (exit ${r.code})`);
    // The trace saw the reads, so an empty list of writes means something.
    assert.ok(r.trace.includes(`${root}/sys/bus/pci/devices`), `${args.join(' ')}: the trace holds the reads of the tree`);
    assert.deepEqual(r.attempts.map((a) => a.line), [], `vfio-doctor ${args.join(' ')} attempted to write`);
  }
  // The control: a command whose purpose is to write is caught writing.
  const saved = traced(['snapshot', '--root', root, '--save', '--dir', path.join(dir, 'store')], dir);
  if ('skip' in saved) return t.skip(saved.skip);
  assert.equal(saved.code, 0);
  const calls = saved.attempts.map((a) => /^\d+\s+([a-z0-9_]+)\(/.exec(a.line)?.[1]);
  for (const call of ['mkdir', 'openat', 'link', 'unlink']) assert.ok(calls.some((c) => c?.startsWith(call)), `snapshot --save shows ${call}: ${calls.join(' ')}`);
});
