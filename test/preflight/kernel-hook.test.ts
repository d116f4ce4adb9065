import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KERNEL_HOOK_PATH, KernelHookError, installKernelHook, kernelHookScript, uninstallKernelHook } from '../../src/preflight/kernel-hook.js';
import { moduleSigned } from '../../src/preflight/module-signature.js';
import { gzipSync } from 'node:zlib';
import { tempDir } from '../helpers/temp.js';

const tmp = () => tempDir('hook');

/** A stand-in for the CLI that records its arguments and exits with the given status. */
function fakeCli(dir: string, status: number): string {
  const p = path.join(dir, 'vfio-doctor');
  fs.writeFileSync(p, `#!/bin/sh\necho "$@" > "${dir}/args"\necho "FAIL something"\nexit ${status}\n`, { mode: 0o755 });
  return p;
}

test('install writes an executable POSIX sh hook, idempotently; uninstall removes it', () => {
  const root = tmp();
  const r1 = installKernelHook({ root, cliPath: '/usr/local/bin/vfio-doctor' });
  assert.deepEqual(r1, { path: KERNEL_HOOK_PATH, action: 'created' });
  const file = path.join(root, KERNEL_HOOK_PATH);
  assert.equal(fs.statSync(file).mode & 0o777, 0o755);
  assert.match(fs.readFileSync(file, 'utf8'), /^#!\/bin\/sh\n/);
  assert.equal(installKernelHook({ root, cliPath: '/usr/local/bin/vfio-doctor' }).action, 'unchanged');
  assert.equal(installKernelHook({ root, cliPath: '/opt/vfio-doctor/bin/vfio-doctor' }).action, 'replaced');
  execFileSync('sh', ['-n', file]);
  assert.equal(uninstallKernelHook({ root }).action, 'removed');
  assert.equal(fs.existsSync(file), false);
  assert.equal(uninstallKernelHook({ root }).action, 'absent');
});

test('a foreign file at the hook path is kept unless forced', () => {
  const root = tmp();
  const file = path.join(root, KERNEL_HOOK_PATH);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '#!/bin/sh\necho mine\n');
  assert.throws(() => installKernelHook({ root, cliPath: '/usr/bin/vfio-doctor' }), KernelHookError);
  assert.throws(() => uninstallKernelHook({ root }), KernelHookError);
  assert.equal(installKernelHook({ root, cliPath: '/usr/bin/vfio-doctor', force: true }).action, 'replaced');
  assert.throws(() => installKernelHook({ root, cliPath: 'relative/vfio-doctor' }), KernelHookError);
});

for (const [status, loud] of [[1, true], [2, false], [0, false]] as const) {
  test(`the hook never fails the package install (preflight exit ${status})`, () => {
    const dir = tmp();
    const hook = path.join(dir, 'zz-vfio-doctor');
    fs.writeFileSync(hook, kernelHookScript(fakeCli(dir, status)), { mode: 0o755 });
    const r = spawnSync('sh', [hook, '6.12.9-amd64', '/boot/vmlinuz-6.12.9-amd64'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 0);
    assert.equal(fs.readFileSync(path.join(dir, 'args'), 'utf8').trim(), 'preflight --kernel 6.12.9-amd64');
    assert.equal(/WARNING: PCI passthrough will BREAK when kernel 6\.12\.9-amd64 boots/.test(r.stderr), loud, r.stderr);
    if (status === 2) assert.match(r.stderr, /could not check kernel 6\.12\.9-amd64/);
  });
}

test('the hook warns when the CLI is gone and still exits 0', () => {
  const dir = tmp();
  const hook = path.join(dir, 'zz-vfio-doctor');
  fs.writeFileSync(hook, kernelHookScript(path.join(dir, 'missing', "it's-gone")), { mode: 0o755 });
  const r = spawnSync('sh', [hook, '6.12.9-amd64'], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0);
  assert.match(r.stderr, /passthrough was NOT checked/);
});

test('module signature trailer: plain and gzip modules', () => {
  const dir = tmp();
  const signed = Buffer.concat([Buffer.from('\x7fELF....'), Buffer.from('~Module signature appended~\n')]);
  const unsigned = Buffer.from('\x7fELF.... no trailer');
  fs.writeFileSync(path.join(dir, 'a.ko'), signed);
  fs.writeFileSync(path.join(dir, 'b.ko'), unsigned);
  fs.writeFileSync(path.join(dir, 'c.ko.gz'), gzipSync(signed));
  fs.writeFileSync(path.join(dir, 'd.ko.xz'), 'x');
  assert.equal(moduleSigned(path.join(dir, 'a.ko')), true);
  assert.equal(moduleSigned(path.join(dir, 'b.ko')), false);
  assert.equal(moduleSigned(path.join(dir, 'c.ko.gz')), true);
  assert.equal(moduleSigned(path.join(dir, 'd.ko.xz')), null);
});
