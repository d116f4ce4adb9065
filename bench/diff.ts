// How long one before/after comparison of a 256-function host takes, and the memory it needs.
//
//   node build/bench/diff.js [--runs N] [--keep DIR]   (default 10,000 comparisons)
//
// --keep DIR writes the pair as DIR/before.json and DIR/after.json, to compare `vfio-doctor diff`
// output on it before and after a change.
//
// The pair is built like the tests build theirs: fixture host trees from the host builder, collected by
// the real collector. The later host has a new kernel, root ports that lost ACS (merged groups),
// drivers and reset methods that changed, and new faults in the log, so every change class has work.

import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildHost, type HostSpec, type PciFunctionSpec } from '../test/fixtures/host-builder.js';
import { collectSnapshot } from '../src/collect/collect.js';
import { diffSnapshots } from '../src/diff/diff.js';
import type { Snapshot } from '../src/snapshot/types.js';
import type { BenchRow } from './row.js';

interface Variant {
  release: string;
  bootId: string;
  /** Root-port slots whose ports have ACS switched off. */
  acsOff: Set<number>;
  /** Cards (by slot) now claimed by their host driver. */
  hostBound: Set<number>;
  logLines: string[];
}

const SLOTS = 25;

function spec(v: Variant): HostSpec {
  const devices: PciFunctionSpec[] = [{ at: '00.0', id: '8086:3e0f', class: 0x060000 }];
  for (let slot = 1; slot <= SLOTS; slot++) {
    for (let fn = 0; fn < 2; fn++) {
      const card = slot * 2 + fn;
      // Half the cards are passthrough targets (bound to vfio-pci), the rest belong to the host.
      const target = card % 2 === 0;
      const driver = target && !v.hostBound.has(card) ? 'vfio-pci' : 'igb';
      devices.push({
        at: `${slot.toString(16).padStart(2, '0')}.${fn}`,
        id: '8086:1901',
        class: 0x060400,
        portType: 'root-port',
        caps: { acs: v.acsOff.has(slot) ? { cap: 'SV TB RR CR UF', ctrl: 0 } : true },
        children: [0, 1, 2, 3].map((f) => ({
          at: `00.${f}`,
          id: '8086:1521',
          class: 0x020000,
          subsys: '8086:5001',
          driver,
          hostDriver: 'igb',
          resetMethods: card === 10 && v.hostBound.size > 0 ? ['bus'] : ['flr', 'bus'],
        })),
      });
    }
  }
  for (const [f, id, cls] of [[0, '8086:a305', 0x060100], [2, '8086:a348', 0x058000], [3, '8086:a348', 0x040300], [4, '8086:a323', 0x0c0500], [5, '8086:a324', 0x0c8000]] as const) {
    devices.push({ at: `1f.${f}`, id, class: cls, conventional: true });
  }
  return {
    hostname: 'bench',
    os: 'proxmox-8',
    cpu: { vendor: 'intel' },
    kernel: { release: v.release },
    bootId: v.bootId,
    cmdlineArgs: ['intel_iommu=on', 'iommu=pt'],
    iommu: {},
    pci: [{ devices }],
    initramfsModules: ['vfio', 'vfio_pci', 'vfio_iommu_type1'],
    logs: { extraLines: v.logLines },
  };
}

async function collect(v: Variant): Promise<Snapshot> {
  const root = await buildHost(spec(v));
  try {
    return await collectSnapshot({ root });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function parseArgs(argv: string[]): { runs: number; keep: string | null } {
  let runs = 10_000;
  let keep: string | null = null;
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--runs' && value !== undefined && /^\d+$/.test(value) && Number(value) >= 1) runs = Number(value);
    else if (flag === '--keep' && value !== undefined) keep = value;
    else throw new Error(`usage: node build/bench/diff.js [--runs N] [--keep DIR] (unexpected "${argv.join(' ')}")`);
  }
  return { runs, keep };
}

interface DiffFigures {
  before: Snapshot;
  after: Snapshot;
  changes: number;
  counts: { regression: number; improvement: number; neutral: number };
  ms: number;
}

/** `runs` comparisons of the pair after a warm-up, so the figure is the steady state, not the JIT's first pass. */
async function measure(runs: number): Promise<DiffFigures> {
  const before = await collect({ release: '6.8.12-4-pve', bootId: '3f2a1c9e-5b7d-4e21-9a0c-1d2e3f405162', acsOff: new Set(), hostBound: new Set(), logLines: [] });
  const faults = Array.from({ length: 120 }, (_, i) => `DMAR: [DMA Read NO_PASID] Request device [${(2 + (i % 40)).toString(16).padStart(2, '0')}:00.0] fault addr 0x${(0x7f3c0000 + i * 4096).toString(16)} [fault reason 0x06] PTE Read access is not set`);
  const after = await collect({
    release: '6.8.12-5-pve',
    bootId: '7b1d0c2a-8e9f-4a3b-b2c1-6d5e4f3a2b10',
    acsOff: new Set([3, 7, 11, 19]),
    hostBound: new Set([4, 10, 22]),
    logLines: ['DMAR: DRHD: handling fault status reg 2', ...faults, "vfio-pci 0000:05:00.0: BAR 0: can't reserve [mem 0xc0000000-0xc001ffff]"],
  });
  const first = diffSnapshots(before, after);
  for (let i = 0; i < Math.min(200, runs); i++) diffSnapshots(before, after);
  const start = performance.now();
  let changes = 0;
  for (let i = 0; i < runs; i++) changes += diffSnapshots(before, after).changes.length;
  const ms = performance.now() - start;
  if (changes !== first.changes.length * runs) throw new Error('comparisons were not deterministic');
  return { before, after, changes: first.changes.length, counts: first.counts, ms };
}

export async function rows(opts: { quick: boolean }): Promise<BenchRow[]> {
  const runs = opts.quick ? 500 : 5_000;
  const f = await measure(runs);
  const perMs = f.ms / runs;
  return [
    {
      work: `\`diff\`, ${f.after.pci.length}-device pair (${f.changes} changes)`,
      reference: '—',
      ours: perMs >= 1 ? `${perMs.toFixed(2)} ms` : `${(perMs * 1000).toFixed(0)} µs`,
      theirs: '—',
      ratio: null,
      target: '≤ 2 ms',
      pass: perMs <= 2,
    },
  ];
}

async function main(): Promise<void> {
  const { runs, keep } = parseArgs(process.argv.slice(2));
  const { before, after, changes, counts, ms } = await measure(runs);
  if (keep !== null) {
    fs.mkdirSync(keep, { recursive: true });
    fs.writeFileSync(path.join(keep, 'before.json'), JSON.stringify(before));
    fs.writeFileSync(path.join(keep, 'after.json'), JSON.stringify(after));
    console.log(`pair kept in ${keep}`);
  }
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(`host: ${before.pci.length} → ${after.pci.length} PCI functions, ${before.kernelLog?.lines.length ?? 0} → ${after.kernelLog?.lines.length ?? 0} kernel-log lines`);
  console.log(`changes per comparison: ${changes} (${counts.regression} regressions, ${counts.improvement} improvements, ${counts.neutral} neutral)`);
  console.log(`comparisons: ${runs}, total ${(ms / 1000).toFixed(2)} s, ${((ms * 1000) / runs).toFixed(1)} µs per comparison`);
  console.log(`peak memory (maxRSS): ${maxRssMb.toFixed(1)} MiB`);
}

// Imported by bench/run-all.ts for its rows; run directly, it prints the detail.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
