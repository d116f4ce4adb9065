// Runs a command the way a user does (output to a file), and measures its wall time and peak RSS.
//
// Peak RSS comes from the kernel's accounting of the finished child (GNU time's %M, the ru_maxrss of
// wait4), so the last allocation before exit counts too. Without /usr/bin/time, /proc/PID/status's
// VmHWM is sampled while the child runs, which can miss a peak in its last milliseconds.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The bundled CLI (dist/vfio-doctor.mjs), run as a user runs it. */
export const CLI = path.resolve(here, '..', '..', 'dist', 'vfio-doctor.mjs');

const GNU_TIME = '/usr/bin/time';

export interface RunSpec {
  cmd: string;
  args: string[];
  /** Exit codes that mean the command did its work (check exits 1 when it finds a failure). */
  ok: number[];
  env?: NodeJS.ProcessEnv;
}

export interface RunResult {
  seconds: number;
  peakKiB: number;
  /** How the peak was measured, for the report. */
  peakFrom: 'wait4' | 'VmHWM samples';
}

/** One run: stdout and stderr go to `out` (a file in `dir`), timed from spawn to exit. */
export async function runMeasured(spec: RunSpec, dir: string, out = path.join(dir, 'run.out')): Promise<RunResult> {
  const timeFile = path.join(dir, 'run.time');
  const viaTime = fs.existsSync(GNU_TIME);
  const cmd = viaTime ? GNU_TIME : spec.cmd;
  const args = viaTime ? ['-f', '%M', '-o', timeFile, spec.cmd, ...spec.args] : spec.args;
  const fd = fs.openSync(out, 'w');
  let sampled = 0;
  try {
    const start = process.hrtime.bigint();
    const code = await new Promise<number | null>((resolve, reject) => {
      const p = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: spec.env ?? process.env });
      const timer = viaTime
        ? null
        : setInterval(() => {
            try {
              const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p.pid}/status`, 'utf8'));
              if (m) sampled = Math.max(sampled, Number(m[1]));
            } catch {
              // Gone already: the last sample stands.
            }
          }, 5);
      p.on('error', (e) => {
        if (timer) clearInterval(timer);
        reject(e);
      });
      p.on('close', (c) => {
        if (timer) clearInterval(timer);
        resolve(c);
      });
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (code === null || !spec.ok.includes(code)) {
      const tail = fs.readFileSync(out, 'utf8').slice(-400);
      throw new Error(`${spec.cmd} ${spec.args.slice(0, 3).join(' ')} ... exited ${code}: ${tail}`);
    }
    if (!viaTime) return { seconds, peakKiB: sampled, peakFrom: 'VmHWM samples' };
    const peak = Number(fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop());
    if (!Number.isFinite(peak)) throw new Error(`${GNU_TIME} wrote no peak RSS for ${spec.cmd}`);
    return { seconds, peakKiB: peak, peakFrom: 'wait4' };
  } finally {
    fs.closeSync(fd);
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface PairResult {
  ours: RunResult;
  theirs: RunResult;
}

/**
 * Medians (time and peak) of `runs` runs of each command, alternating so that a change in the machine's
 * load falls on both; one untimed run of each first warms the page cache.
 */
export async function measurePair(ours: RunSpec, theirs: RunSpec, runs: number, dir: string): Promise<PairResult> {
  await runMeasured(ours, dir);
  await runMeasured(theirs, dir);
  const a: RunResult[] = [];
  const b: RunResult[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(await runMeasured(ours, dir));
    b.push(await runMeasured(theirs, dir));
  }
  return { ours: medianRun(a), theirs: medianRun(b) };
}

/** Medians of `runs` runs of one command (no warm-up: the caller decides). */
export async function measure(spec: RunSpec, runs: number, dir: string): Promise<RunResult> {
  const all: RunResult[] = [];
  for (let i = 0; i < runs; i++) all.push(await runMeasured(spec, dir));
  return medianRun(all);
}

function medianRun(all: RunResult[]): RunResult {
  return { seconds: median(all.map((r) => r.seconds)), peakKiB: median(all.map((r) => r.peakKiB)), peakFrom: (all[0] as RunResult).peakFrom };
}

export function mib(kib: number): string {
  return `${(kib / 1024).toFixed(0)} MB`;
}

export function secs(s: number): string {
  return s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(0)} ms`;
}
