// The least a row's work can cost in this design, measured in the same run as the row: what every run
// of the command must pay before any of its own work (Node's start, the bundle's load) plus what the
// work cannot do without (the system calls that read a host, a worker's boot, the decompressor), each
// at its own bare speed, with nothing overlapping and everything else (decoding, analysis, rendering,
// exit) free. A target below its row's floor cannot be met by making our code faster, only by
// changing what the run is made of; docs/performance.md says what that would take.

import path from 'node:path';
import { CLI, median, seconds, timeCommand, type Command } from './support.js';

export interface Floor {
  /** The floor over the reference's time, both measured in one loop. */
  ratio: number;
  /** What it is made of, for the table ("Node 98 ms + bundle 96 ms + bare reads 190 ms"). */
  parts: string;
}

// Each of the bare programs below is run as `node -e`, so Node's own start is in each of them alike.
const EMPTY = '0';

/**
 * The system calls check's collection makes at the least for each PCI function (the light collection of
 * src/collect/sources/pci.ts, without any decoding): the device link read (one readlink, as the collector
 * resolves it: sysfs's device directories are real ones), seven attributes opened, checked to be files,
 * read and closed, the driver and IOMMU group links read, physfn looked for.
 */
const READS = `
const fs = require('node:fs');
const path = require('node:path');
const dir = process.argv[1] + '/sys/bus/pci/devices';
const buf = Buffer.allocUnsafe(4096);
let bytes = 0;
for (const name of fs.readdirSync(dir)) {
  const base = path.resolve(dir, fs.readlinkSync(dir + '/' + name));
  for (const f of ['vendor', 'device', 'config', 'class', 'driver_override', 'subsystem_vendor', 'subsystem_device']) {
    let fd = -1;
    try {
      fd = fs.openSync(base + '/' + f, 'r');
      if (fs.fstatSync(fd).isFile()) bytes += fs.readSync(fd, buf, 0, buf.length, 0);
    } catch {}
    if (fd >= 0) fs.closeSync(fd);
  }
  for (const l of ['driver', 'iommu_group']) { try { fs.readlinkSync(base + '/' + l); } catch {} }
  fs.existsSync(base + '/physfn');
}
if (bytes === 0) { process.stderr.write('no PCI attribute read under ' + dir + '\\n'); process.exit(1); }
`;

/** A worker thread that does nothing: its boot, the least preflight's image worker costs. */
const WORKER = "new (require('node:worker_threads').Worker)('0', { eval: true });";

const node = (script: string, ...args: string[]): Command => ({ cmd: process.execPath, args: ['-e', script, ...args], ok: [0] });

interface Part {
  name: string;
  command: Command;
  /** Node's start is in this command's time too: only what it takes beyond `node -e 0` counts. */
  beyondNode: boolean;
}

/**
 * Node's start, the bundle's load (`--version` beyond `node -e 0`) and `parts`, each the median of `runs`
 * runs, and the reference's median, all measured in one alternating loop so that the machine's load
 * falls on the floor and on the reference alike; a warm-up run of each first.
 */
function measureFloor(parts: Part[], reference: Command, runs: number, dir: string): Floor {
  const out = path.join(dir, 'floor.out');
  const all: Part[] = [
    { name: 'Node', command: node(EMPTY), beyondNode: false },
    { name: 'bundle', command: { cmd: process.execPath, args: [CLI, '--version'], ok: [0] }, beyondNode: true },
    ...parts,
  ];
  const times = all.map(() => [] as number[]);
  const referenceTimes: number[] = [];
  for (let i = -1; i < runs; i++) {
    all.forEach((p, k) => {
      const t = timeCommand(p.command, out);
      if (i >= 0) times[k]!.push(t);
    });
    const t = timeCommand(reference, out);
    if (i >= 0) referenceTimes.push(t);
  }
  const nodeStart = median(times[0]!);
  const figures = all.map((p, k) => (p.beyondNode ? Math.max(0, median(times[k]!) - nodeStart) : median(times[k]!)));
  const total = figures.reduce((a, b) => a + b, 0);
  return { ratio: total / median(referenceTimes), parts: all.map((p, k) => `${p.name} ${seconds(figures[k]!)}`).join(' + ') };
}

/** check --root of the tree at `root`: Node, the bundle, then the bare reads of every PCI function. */
export function checkFloor(root: string, lspci: Command, runs: number, dir: string): Floor {
  return measureFloor([{ name: 'bare reads', command: node(READS, root), beyondNode: true }], lspci, runs, dir);
}

/**
 * preflight of `image`: Node, the bundle, an empty worker's boot, then the image's decompression alone
 * (`zstd -t` decodes every block and writes nothing: neither a pipe nor a file costs anything).
 */
export function preflightFloor(image: string, lsinitramfs: Command, runs: number, dir: string): Floor {
  return measureFloor(
    [
      { name: 'worker boot', command: node(WORKER), beyondNode: true },
      { name: 'zstd decoding', command: { cmd: 'zstd', args: ['-t', '-q', '--', image], ok: [0] }, beyondNode: false },
    ],
    lsinitramfs,
    runs,
    dir,
  );
}
