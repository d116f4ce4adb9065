// What the bench modules share: medians, timing a command the way a user runs it (output to a file, not
// /dev/null), scratch directories that are removed when the process exits, and one real Debian kernel
// (modules tree and a zstd initramfs built by mkinitramfs) unpacked once per run.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_KERNEL_CACHE, buildRealImage, fetchKernel, installKernel } from '../test/preflight/support/real-kernels.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The bundled CLI, run as a user runs it. */
export const CLI = path.resolve(here, '..', '..', 'dist', 'vfio-doctor.mjs');

const scratches = new Set<string>();
process.once('exit', () => {
  for (const dir of scratches) fs.rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory removed when the process exits (or earlier with dropScratch). */
export function scratch(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `vfio-doctor-bench-${name}-`));
  scratches.add(dir);
  return dir;
}

export function dropScratch(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  scratches.delete(dir);
}

/**
 * Writes back what the bench has just written (host trees, the kernel, a 301 MB log) before anything is
 * timed: the kernel flushes dirty pages in the background, and a flush that lands on the timed runs of one
 * command and not the other's moves a ratio (the floor of the first row once read 2.31x against 1.76x
 * in the runs after). `sync` is all it takes; where it is missing, nothing is done.
 */
export function settle(): void {
  spawnSync('sync', [], { stdio: 'ignore', timeout: 120_000 });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Command {
  cmd: string;
  args: string[];
  /** Exit codes that mean the command did its work (check exits 1 when it finds a failure). */
  ok: number[];
  env?: NodeJS.ProcessEnv;
}

/** Wall seconds of one run, stdout and stderr written to `out`. */
export function timeCommand(c: Command, out: string): number {
  const fd = fs.openSync(out, 'w');
  try {
    const start = process.hrtime.bigint();
    const r = spawnSync(c.cmd, c.args, { stdio: ['ignore', fd, fd], env: c.env ?? process.env, timeout: 600_000 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.error) throw new Error(`${c.cmd}: ${r.error.message}`);
    if (r.status === null || !c.ok.includes(r.status)) {
      const tail = fs.readFileSync(out, 'utf8').slice(-400);
      throw new Error(`${c.cmd} ${c.args.slice(0, 3).join(' ')} ... exited ${r.status ?? r.signal}: ${tail}`);
    }
    return seconds;
  } finally {
    fs.closeSync(fd);
  }
}

export interface Pair {
  ours: number;
  theirs: number;
}

/**
 * Medians of `runs` timed runs of each command, alternating so that a change in the machine's load falls
 * on both; one untimed run each first warms the page cache.
 */
export function timePair(ours: Command, theirs: Command, runs: number, dir: string): Pair {
  const oursOut = path.join(dir, 'ours.out');
  const theirsOut = path.join(dir, 'theirs.out');
  timeCommand(ours, oursOut);
  timeCommand(theirs, theirsOut);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(timeCommand(ours, oursOut));
    b.push(timeCommand(theirs, theirsOut));
  }
  return { ours: median(a), theirs: median(b) };
}

export function seconds(s: number): string {
  return s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(s >= 0.1 ? 0 : 1)} ms`;
}

export interface RealKernelTree {
  /** A root holding boot/ and lib/modules/VERSION as the Debian package installs them, indexed by depmod. */
  root: string;
  version: string;
  /** A zstd initramfs for that kernel built by the real mkinitramfs with MODULES=most. */
  image: string;
}

let realKernel: Promise<RealKernelTree> | null = null;

/**
 * The Debian 6.1 kernel from the test cache (downloaded once with apt-get when absent), one per process.
 * VFIO_DOCTOR_BENCH_KERNEL_ROOT=DIR reuses a root holding one kernel and its image (a host tree a
 * `--keep` run left), which saves the minute mkinitramfs takes while profiling.
 */
export function realKernelTree(): Promise<RealKernelTree> {
  const reuse = process.env['VFIO_DOCTOR_BENCH_KERNEL_ROOT'];
  if (reuse) {
    const version = fs.readdirSync(path.join(reuse, 'lib', 'modules'))[0];
    if (!version) throw new Error(`VFIO_DOCTOR_BENCH_KERNEL_ROOT=${reuse}: no kernel in lib/modules`);
    return Promise.resolve({ root: reuse, version, image: path.join(reuse, 'boot', `initrd.img-${version}`) });
  }
  realKernel ??= (async () => {
    const dir = scratch('kernel');
    const kernel = await fetchKernel('6.1', process.env['VFIO_DOCTOR_KERNEL_CACHE'] ?? DEFAULT_KERNEL_CACHE);
    const root = path.join(dir, 'root');
    await installKernel(kernel, root);
    const image = path.join(dir, `initrd.img-${kernel.version}`);
    await buildRealImage({
      hostRoot: root,
      version: kernel.version,
      workDir: path.join(dir, 'work'),
      output: image,
      modules: ['vfio', 'vfio_pci', 'vfio_iommu_type1'],
      modprobe: 'options vfio-pci ids=10de:1e87,10de:10f8\nsoftdep nouveau pre: vfio-pci\n',
      policy: 'most',
    });
    return { root, version: kernel.version, image };
  })();
  return realKernel;
}

/**
 * Puts the real kernel into a host root as an installed (and, with the builder's matching release,
 * running) kernel: hard links, so every host shares one copy.
 */
export function installRealKernel(k: RealKernelTree, hostRoot: string): void {
  fs.mkdirSync(path.join(hostRoot, 'lib', 'modules'), { recursive: true });
  fs.mkdirSync(path.join(hostRoot, 'boot'), { recursive: true });
  const cp = (from: string, to: string): void => {
    const r = spawnSync('cp', ['-alf', from, to], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`cp -alf ${from} ${to}: ${r.stderr || r.error?.message}`);
  };
  cp(path.join(k.root, 'lib', 'modules', k.version), path.join(hostRoot, 'lib', 'modules', k.version));
  for (const f of fs.readdirSync(path.join(k.root, 'boot'))) cp(path.join(k.root, 'boot', f), path.join(hostRoot, 'boot', f));
  cp(k.image, path.join(hostRoot, 'boot', path.basename(k.image)));
}
