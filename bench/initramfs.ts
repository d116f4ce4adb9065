// How long listing a real zstd initramfs takes, next to lsinitramfs on the same image.
//
//   node build/bench/initramfs.js [--image PATH] [--runs N]
//
// Without --image it builds one with initramfs-tools' mkinitramfs (COMPRESS=zstd, early-microcode
// archives prepended) for a made-up kernel in a private mount namespace, which needs root.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { InitramfsError, listInitramfs } from '../src/initramfs/index.js';
import { buildWithMkinitramfs } from '../test/initramfs/support/mkinitramfs-sandbox.js';

interface Options {
  image: string | null;
  runs: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { image: null, runs: 7 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--image' && argv[i + 1]) options.image = argv[++i]!;
    else if (arg === '--runs' && argv[i + 1] && Number(argv[i + 1]) >= 1) options.runs = Math.floor(Number(argv[++i]));
    else throw new Error(`usage: node build/bench/initramfs.js [--image PATH] [--runs N] (unexpected "${arg}")`);
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
  let image = options.image;
  let scratch: string | null = null;
  try {
    if (image === null) {
      scratch = mkdtempSync(path.join(tmpdir(), 'vfio-doctor-bench-'));
      image = path.join(scratch, 'initrd.img-bench');
      process.stdout.write('building a zstd image with mkinitramfs ... ');
      await buildWithMkinitramfs({ workDir: path.join(scratch, 'work'), output: image, compress: 'zstd', earlyArchives: true });
      process.stdout.write('done\n');
    }
    const target = image;
    // One untimed run each warms the page cache and Node's code paths alike.
    const listing = await listInitramfs(target);
    await lsinitramfs(target);

    const ours = await time(options.runs, () => listInitramfs(target));
    const theirs = await time(options.runs, () => lsinitramfs(target));
    const same =
      JSON.stringify(ours.last.entries.map((e) => e.path).sort()) === JSON.stringify([...theirs.last].sort());
    const oursMs = median(ours.ms);
    const theirsMs = median(theirs.ms);

    console.log(`image        ${target} (${listing.size} bytes)`);
    console.log(`segments     ${listing.segments.map((s) => `${s.compression}@${s.offset}:${s.entries}`).join(' ')}`);
    console.log(`entries      ${listing.entries.length} (lsinitramfs lists the same paths: ${same ? 'yes' : 'NO'})`);
    console.log(`runs         ${options.runs} each, median`);
    console.log(`listInitramfs ${oursMs.toFixed(1)} ms`);
    console.log(`lsinitramfs   ${theirsMs.toFixed(1)} ms`);
    console.log(`ratio        ${(oursMs / theirsMs).toFixed(3)} (listInitramfs / lsinitramfs; below 1 is faster)`);
    if (!same) process.exitCode = 1;
  } finally {
    if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
  }
}

// Imported by bench/run-all.ts for its rows; run directly, it prints the detail.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof InitramfsError || error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
