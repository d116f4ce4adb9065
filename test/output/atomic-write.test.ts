import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AtomicWriteError, TargetExistsError, writeAll, writeFileAtomic } from '../../src/output/atomic-write.js';
import { installKernelHook, KERNEL_HOOK_PATH, KernelHookError } from '../../src/preflight/kernel-hook.js';
import { runCli } from '../helpers/run-cli.js';
import { repoRoot } from '../helpers/paths.js';
import { findTool } from '../helpers/tools.js';

function tmp(t: { after: (fn: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-atomic-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

test('writeAll continues after partial writes and fails on a write that makes no progress', () => {
  const got: Buffer[] = [];
  const data = Buffer.from('0123456789abcdefghij');
  // At most 3 bytes per call, as write(2) may do on a signal or a nearly full quota.
  writeAll(7, data, (_fd, buf, off, len) => {
    const n = Math.min(3, len);
    got.push(Buffer.from(buf.subarray(off, off + n)));
    return n;
  });
  assert.equal(Buffer.concat(got).toString(), data.toString());
  assert.throws(
    () => writeAll(7, data, () => 0),
    (e: NodeJS.ErrnoException) => e.code === 'EIO',
  );
});

test('writeFileAtomic never writes through a symbolic link at the target, and leaves no temporary file', (t) => {
  const dir = tmp(t);
  const victim = path.join(dir, 'victim');
  fs.writeFileSync(victim, 'precious\n', { mode: 0o600 });
  const target = path.join(dir, 'out.json');
  fs.symlinkSync(victim, target);
  assert.throws(() => writeFileAtomic(target, 'new\n'), TargetExistsError);
  // Replacing replaces the link itself, never the file it points to.
  writeFileAtomic(target, 'new\n', { overwrite: true, mode: 0o640 });
  assert.equal(fs.readFileSync(victim, 'utf8'), 'precious\n');
  assert.equal(fs.statSync(victim).mode & 0o777, 0o600);
  assert.equal(fs.lstatSync(target).isFile(), true);
  assert.equal(fs.readFileSync(target, 'utf8'), 'new\n');
  // The mode asked for, whatever the umask.
  assert.equal(fs.statSync(target).mode & 0o777, 0o640);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['out.json', 'victim']);
});

test('writeFileAtomic: a failure is one line naming the file, and removes the temporary file', (t) => {
  const dir = tmp(t);
  const sub = path.join(dir, 'sub');
  fs.mkdirSync(sub);
  // A directory at the target: link() and rename() both fail after the temporary file was written.
  fs.mkdirSync(path.join(sub, 'out.json'));
  assert.throws(
    () => writeFileAtomic(path.join(sub, 'out.json'), 'x', { overwrite: true }),
    (e: unknown) => e instanceof AtomicWriteError && /^cannot write .*out\.json: is a directory$/.test(e.message),
  );
  assert.deepEqual(fs.readdirSync(sub), ['out.json']);
  assert.throws(
    () => writeFileAtomic(path.join(dir, 'missing', 'out.json'), 'x'),
    (e: unknown) => e instanceof AtomicWriteError && /directory does not exist/.test(e.message),
  );
});

test('kernel hook: a link planted at any temporary name or at the hook path redirects nothing', (t) => {
  const root = tmp(t);
  const hook = path.join(root, KERNEL_HOOK_PATH);
  fs.mkdirSync(path.dirname(hook), { recursive: true });
  const victim = path.join(root, 'victim');
  fs.writeFileSync(victim, 'precious\n', { mode: 0o600 });
  // The name the hook used to write through, fixed and predictable.
  fs.symlinkSync(victim, `${hook}.vfio-doctor-tmp`);
  assert.equal(installKernelHook({ root, cliPath: '/usr/bin/vfio-doctor' }).action, 'created');
  assert.equal(fs.readFileSync(victim, 'utf8'), 'precious\n');
  assert.equal(fs.statSync(victim).mode & 0o777, 0o600);
  assert.equal(fs.statSync(hook).mode & 0o777, 0o755);

  // A link standing at the hook path itself is not ours: refused, and with --force the link is replaced.
  fs.rmSync(hook);
  fs.symlinkSync(victim, hook);
  assert.throws(() => installKernelHook({ root, cliPath: '/usr/bin/vfio-doctor' }), (e: unknown) => e instanceof KernelHookError && /symbolic link/.test(e.message));
  assert.equal(installKernelHook({ root, cliPath: '/usr/bin/vfio-doctor', force: true }).action, 'replaced');
  assert.equal(fs.readFileSync(victim, 'utf8'), 'precious\n');
  assert.equal(fs.lstatSync(hook).isFile(), true);
});

test('install --kernel-hook where the hook directory cannot be made: one line, exit 2, no "internal error"', async (t) => {
  const root = tmp(t);
  fs.mkdirSync(path.join(root, 'etc'));
  fs.writeFileSync(path.join(root, 'etc', 'kernel'), 'a file where a directory belongs\n');
  const r = await runCli(['install', '--kernel-hook', '--root', root]);
  assert.equal(r.code, 2);
  // The temporary root's random name can hold any capitals ("...-LdETII"): only the words after it count.
  assert.doesNotMatch(r.stderr.split(root).join('<root>'), /internal error|\bE[A-Z]{3,}\b/);
  assert.match(r.stderr, /^vfio-doctor install: cannot create .*postinst\.d: /);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

/**
 * Runs the built CLI with DIR a full tmpfs, in a private mount namespace so that nothing is mounted on
 * this machine; null when namespaces or mounts are not allowed here.
 */
function onFullTmpfs(dir: string, args: string[]): { code: number; stderr: string; stdout: string; left: string[] } | { skip: string } {
  const unshare = findTool('unshare');
  if (!unshare) return { skip: 'unshare not installed (util-linux)' };
  const cli = path.join(repoRoot, 'dist', 'vfio-doctor.mjs');
  // The filler takes the free blocks, so the snapshot's temporary file is created and its write fails.
  const script = [
    'set -e',
    'mount -t tmpfs -o size=64k tmpfs "$1"',
    // All but one page: the store's lock file fits, the snapshot does not.
    'head -c 61440 /dev/zero > "$1/filler"',
    'shift',
    'set +e',
    `"${process.execPath}" "${cli}" "$@"`,
    'code=$?',
    'rm -f "$VD_DIR/filler"',
    'echo "left:$(ls -A "$VD_DIR" | tr "\\n" " ")" >&2',
    'exit $code',
  ].join('\n');
  const r = spawnSync(unshare, ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', dir, ...args], { encoding: 'utf8', env: { ...process.env, VD_DIR: dir }, timeout: 60_000 });
  if (r.status !== 0 && /unshare failed|Operation not permitted|mount: /.test(r.stderr)) return { skip: `cannot mount a tmpfs in a private namespace here: ${r.stderr.trim().split('\n')[0]}` };
  const lines = r.stderr.split('\n');
  const leftLine = lines.find((l) => l.startsWith('left:')) ?? 'left:';
  return { code: r.status ?? -1, stdout: r.stdout, stderr: lines.filter((l) => !l.startsWith('left:')).join('\n'), left: leftLine.slice(5).trim().split(/\s+/).filter(Boolean) };
}

test('a full disk: snapshot -o and --save say "no space left on device", exit 2, leave no file behind', (t) => {
  const dir = tmp(t);
  const root = tmp(t);
  const out = onFullTmpfs(dir, ['snapshot', '--root', root, '-o', path.join(dir, 'snap.json')]);
  if ('skip' in out) return t.skip(out.skip);
  assert.equal(out.code, 2, out.stderr);
  assert.match(out.stderr, /^vfio-doctor snapshot: cannot write .*snap\.json: no space left on device\n$/);
  assert.deepEqual(out.left, []);

  const saved = onFullTmpfs(dir, ['snapshot', '--root', root, '--save', '--dir', dir]);
  if ('skip' in saved) return t.skip(saved.skip);
  assert.equal(saved.code, 2, saved.stderr);
  assert.equal(saved.stdout, '', 'no path is reported for a snapshot that was not saved');
  assert.match(saved.stderr, /^vfio-doctor snapshot: cannot write .*\.json: no space left on device\n$/);
  assert.deepEqual(saved.left, []);
  // Nothing leaked into this machine's mount table.
  assert.deepEqual(fs.readdirSync(dir), []);
});
