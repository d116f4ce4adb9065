// Issue 16's log rows: `decode` of a 300 MB kernel log against `grep -cE` with the decoder's own anchors,
// and the peak RSS of `decode` and of `check --root` with that log in the host tree.
//
//   node build/bench/logscan.js [--quick] [--size-mb 300] [--keep]
//
// The log is generated (mostly ordinary lines of a busy hypervisor, ~1.5% passthrough events, a boot
// sequence every ~20 MB) as the dmesg of a small host tree built by the test host builder. Measured on
// the same file, as a user runs them (output to a file): `node dist/vfio-doctor.mjs decode FILE` and
// `grep -c -E <the anchors as one alternation>` (LC_ALL=C) alternately, the collector's scanner alone
// (scanKernelLog in a child process, start-up excluded), and `check --root`. Peak RSS is the child's own
// (GNU time's %M). The grep pattern is printed to standard error. Everything is removed at the end unless
// --keep.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { anchorTexts } from '../src/log/anchors.js';
import { scanKernelLog } from '../src/log/relevant.js';
import { buildHost, type HostSpec } from '../test/fixtures/host-builder.js';
import { generateLog } from './kernel-log-gen.js';
import { CLI, measure, measurePair, median, mib, secs, type RunResult } from './cli-run.js';
import type { BenchOptions, BenchRow } from './row.js';
import { settle } from './support.js';

const MiB = 1024 * 1024;
/** Issue 16's targets for these rows. */
const MIN_THROUGHPUT_RATIO = 0.5;
const MAX_PEAK_KIB = 150 * 1024;

interface ScanMeasure {
  seconds: number;
  peakKiB: number;
  relevant: number;
}

export interface LogscanOptions extends BenchOptions {
  sizeMb?: number;
  /** Keep the generated host and log in this directory (not removed). */
  keep?: boolean;
}

/** A workstation passing a GPU through: enough for `check` to walk every layer. */
function host(): HostSpec {
  return {
    os: 'debian-12',
    cpu: { vendor: 'intel', count: 8 },
    cmdlineArgs: ['intel_iommu=on', 'iommu=pt'],
    iommu: {},
    pci: [
      {
        domain: 0,
        bus: 0,
        devices: [
          { at: '00.0', id: '8086:3e30', class: 0x060000, conventional: true },
          { at: '02.0', id: '8086:3e92', class: 0x030000, driver: 'i915', bootVga: true },
          { at: '14.0', id: '8086:a36d', class: 0x0c0330, driver: 'xhci_hcd', conventional: true },
          { at: '17.0', id: '8086:a352', class: 0x010601, driver: 'ahci', conventional: true },
          {
            at: '01.0',
            id: '8086:1901',
            class: 0x060400,
            portType: 'root-port',
            caps: { acs: true },
            children: [
              { at: '00.0', id: '10de:1e87', class: 0x030000, driver: 'vfio-pci', bars: [{ index: 0, size: '16M' }] },
              { at: '00.1', id: '10de:10f8', class: 0x040300, driver: 'vfio-pci' },
            ],
          },
        ],
      },
    ],
  };
}

export async function rows(opts: LogscanOptions): Promise<BenchRow[]> {
  const runs = opts.quick ? 1 : 3;
  const sizeMb = opts.sizeMb ?? 300;
  const dir = mkdtempSync(path.join(tmpdir(), 'vfio-doctor-bench-logscan-'));
  try {
    const root = await buildHost(host(), path.join(dir, 'host'));
    const log = path.join(root, 'commands', 'dmesg');
    generateLog(log, sizeMb * MiB, 1);
    settle();
    const bytes = statSync(log).size;
    const anchors = anchorTexts();
    const pattern = anchors.map(escapeRegex).join('|');
    process.stderr.write(`logscan: grep -c -E with the decoder's ${anchors.length} anchors (LC_ALL=C): ${pattern}\n`);

    const decode = { cmd: process.execPath, args: [CLI, 'decode', log], ok: [0] };
    const grep = { cmd: 'grep', args: ['-c', '-E', pattern, log], ok: [0, 1], env: { ...process.env, LC_ALL: 'C' } };
    const pair = await measurePair(decode, grep, runs, dir);
    const scans: ScanMeasure[] = [];
    for (let i = 0; i < runs; i++) scans.push(await measureScanner(log));
    const scan = { seconds: median(scans.map((s) => s.seconds)), peakKiB: median(scans.map((s) => s.peakKiB)) };
    const check = await measure({ cmd: process.execPath, args: [CLI, 'check', '--root', root], ok: [0, 1] }, runs, dir);

    const size = `${(bytes / MiB).toFixed(0)} MB`;
    const rate = (s: number): string => `${(bytes / MiB / s).toFixed(0)} MB/s (${secs(s)})`;
    const grepRef = `\`grep -cE\`, the decoder's ${anchors.length} anchors`;
    const throughputRow = (work: string, ours: number): BenchRow => {
      const ratio = pair.theirs.seconds / ours;
      return { work, reference: grepRef, ours: rate(ours), theirs: rate(pair.theirs.seconds), ratio, target: `≥ ${MIN_THROUGHPUT_RATIO}× grep throughput`, pass: ratio >= MIN_THROUGHPUT_RATIO };
    };
    const peakRow = (work: string, r: Pick<RunResult, 'peakKiB'>): BenchRow => ({
      work,
      reference: '—',
      ours: `${mib(r.peakKiB)} peak`,
      theirs: '—',
      ratio: null,
      target: `peak RSS < ${MAX_PEAK_KIB / 1024} MB`,
      pass: r.peakKiB < MAX_PEAK_KIB,
    });
    return [
      throughputRow(`\`decode\`, ${size} log (the CLI, start-up included)`, pair.ours.seconds),
      throughputRow(`log scan alone (the collector's scanner, in-process), ${size} log`, scan.seconds),
      peakRow(`\`decode\`, ${size} log`, pair.ours),
      peakRow(`\`check --root\`, ${size} log in the tree`, check),
    ];
  } finally {
    if (opts.keep) process.stderr.write(`logscan: kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--child') return child(argv[1] ?? '');
  const out = await rows({ quick: argv.includes('--quick'), sizeMb: numberOpt(argv, '--size-mb', 300), keep: argv.includes('--keep') });
  const cells = [['work', 'reference', 'ours', 'theirs', 'ratio', 'target', 'pass'], ...out.map((r) => [r.work, r.reference, r.ours, r.theirs, r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`, r.target, r.pass ? 'yes' : 'NO'])];
  process.stdout.write(table(cells));
  return out.every((r) => r.pass) ? 0 : 1;
}

// The child: scans the file and reports time and its own peak RSS.
async function child(file: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const { stats } = await scanKernelLog(file);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const out: ScanMeasure = { seconds, peakKiB: process.resourceUsage().maxRSS, relevant: stats.relevantLines };
  process.stdout.write(JSON.stringify(out) + '\n');
  return 0;
}

function measureScanner(file: string): Promise<ScanMeasure> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [self, '--child', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (d: string) => (stdout += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as ScanMeasure) : reject(new Error(`scanner child exited with ${code}`))));
  });
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function numberOpt(argv: string[], name: string, dflt: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} needs a positive number`);
  return v;
}

function table(rows: string[][]): string {
  const widths = (rows[0] as string[]).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c] as number)).join('  ').trimEnd()).join('\n') + '\n';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`logscan: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
