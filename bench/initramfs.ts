// How long listing a real zstd initramfs takes, next to lsinitramfs on the same image.
//
//   node build/bench/initramfs.js [--quick] [--keep DIR]
//   node build/bench/initramfs.js --image PATH [--runs N]
//
// rows() (for bench/run-all.ts, and what the first form prints) measures the command: `vfio-doctor
// preflight` of the real Debian kernel installed on a generated host, with its real zstd initramfs
// (MODULES=most), next to `lsinitramfs` of the same image; --keep DIR leaves that host in DIR, for
// profiling one run. The second form compares listInitramfs in-process with lsinitramfs on any image.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { InitramfsError, listInitramfs } from '../src/initramfs/index.js';
import { buildHost } from '../test/fixtures/host-builder.js';
import { rowLine, type BenchOptions, type BenchRow } from './row.js';
import { preflightFloor } from './floor.js';
import { CLI, dropScratch, installRealKernel, realKernelTree, scratch, seconds, settle, timePair, type Command } from './support.js';

/** A host running an older kernel with the real Debian kernel installed beside it, about to reboot into it. */
export async function rows(opts: BenchOptions, keep: string | null = null): Promise<BenchRow[]> {
  const kernel = await realKernelTree();
  const dir = scratch('preflight');
  try {
    const root = await buildHost({
      os: 'debian-12',
      cpu: { vendor: 'intel' },
      kernel: { release: '6.1.0-25-amd64' },
      cmdlineArgs: ['intel_iommu=on', 'iommu=pt'],
      iommu: {},
      pci: [{ devices: [
        { at: '00.0', id: '8086:3e30', class: 0x060000, conventional: true },
        { at: '01.0', id: '8086:1901', class: 0x060400, portType: 'root-port', caps: { acs: true }, children: [
          { at: '00.0', id: '10de:1e87', class: 0x030000, driver: 'vfio-pci', hostDriver: 'nouveau' },
          { at: '00.1', id: '10de:10f8', class: 0x040300, driver: 'vfio-pci', hostDriver: 'snd_hda_intel' },
        ] },
      ] }],
      modprobe: { 'vfio.conf': 'options vfio-pci ids=10de:1e87,10de:10f8\nsoftdep nouveau pre: vfio-pci\n' },
      initramfsModules: ['vfio', 'vfio_pci', 'vfio_iommu_type1'],
    }, keep ?? path.join(dir, 'host'));
    installRealKernel(kernel, root);
    settle();
    const image = path.join(root, 'boot', `initrd.img-${kernel.version}`);
    const reference: Command = { cmd: 'lsinitramfs', args: [image], ok: [0], env: { ...process.env, PATH: `${process.env['PATH'] ?? '/usr/bin:/bin'}:/usr/sbin:/sbin` } };
    const runs = opts.quick ? 3 : 7;
    const t = timePair({ cmd: process.execPath, args: [CLI, 'preflight', '--root', root, '--kernel', kernel.version, '--color', 'never'], ok: [0, 1] }, reference, runs, dir);
    const ratio = t.ours / t.theirs;
    const mb = (fs.statSync(image).size / 2 ** 20).toFixed(1);
    return [{
      work: `\`preflight\`, real zstd initramfs (${mb} MB, Debian ${kernel.version})`, reference: '`lsinitramfs`', ours: seconds(t.ours), theirs: seconds(t.theirs), ratio, target: '≤ 0.5×', pass: ratio <= 0.5,
      floor: preflightFloor(image, reference, runs, dir),
    }];
  } finally {
    dropScratch(dir);
  }
}

interface Options {
  image: string | null;
  runs: number;
  quick: boolean;
  keep: string | null;
}

const USAGE = 'usage: node build/bench/initramfs.js [--quick] [--keep DIR] | --image PATH [--runs N]';

function parseArgs(argv: string[]): Options {
  const options: Options = { image: null, runs: 7, quick: false, keep: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--image' && argv[i + 1]) options.image = argv[++i]!;
    else if (arg === '--runs' && argv[i + 1] && Number(argv[i + 1]) >= 1) options.runs = Math.floor(Number(argv[++i]));
    else if (arg === '--quick') options.quick = true;
    else if (arg === '--keep' && argv[i + 1]) options.keep = path.resolve(argv[++i]!);
    else throw new Error(`${USAGE} (unexpected "${arg}")`);
  }
  return options;
}

function lsinitramfs(image: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('lsinitramfs', [image], { timeout: 300_000, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      // An image without a compressed part makes lsinitramfs exit 2 after a complete listing.
      if (error && !/premature end of archive/.test(stderr)) reject(new Error(`lsinitramfs failed: ${stderr || error.message}`));
      else resolve(stdout.split('\n').filter((line) => line !== ''));
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function time<T>(runs: number, fn: () => Promise<T>): Promise<{ ms: number[]; last: T }> {
  const ms: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    last = await fn();
    ms.push(performance.now() - start);
  }
  return { ms, last: last as T };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.image === null) {
    for (const r of await rows({ quick: options.quick }, options.keep)) {
      console.log(rowLine(r));
    }
    return;
  }
  await compareListing(options.image, options.runs);
}

async function compareListing(target: string, runs: number): Promise<void> {
  // One untimed run each warms the page cache and Node's code paths alike.
  const listing = await listInitramfs(target);
  await lsinitramfs(target);

  const ours = await time(runs, () => listInitramfs(target));
  const theirs = await time(runs, () => lsinitramfs(target));
  const same =
    JSON.stringify(ours.last.entries.map((e) => e.path).sort()) === JSON.stringify([...theirs.last].sort());
  const oursMs = median(ours.ms);
  const theirsMs = median(theirs.ms);

  console.log(`image        ${target} (${listing.size} bytes)`);
  console.log(`segments     ${listing.segments.map((s) => `${s.compression}@${s.offset}:${s.entries}`).join(' ')}`);
  console.log(`entries      ${listing.entries.length} (lsinitramfs lists the same paths: ${same ? 'yes' : 'NO'})`);
  console.log(`runs         ${runs} each, median`);
  console.log(`listInitramfs ${oursMs.toFixed(1)} ms`);
  console.log(`lsinitramfs   ${theirsMs.toFixed(1)} ms`);
  console.log(`ratio        ${(oursMs / theirsMs).toFixed(3)} (listInitramfs / lsinitramfs; below 1 is faster)`);
  if (!same) process.exitCode = 1;
}

// Imported by bench/run-all.ts for its rows; run directly, it prints the detail.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof InitramfsError || error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
