// fleet over many hosts: wall time and peak memory of `vfio-doctor fleet` (the bundled CLI, as a user
// runs it) over generated stores of 2,500, 5,000 and 10,000 snapshots. Time must grow linearly with the
// snapshot count and memory stay under 300 MB, because fleet keeps a few facts per snapshot and loads
// whole snapshots only for each host's latest boot and its canary comparison.
//
//   npm run build && node build/bench/fleet.js [--max N]     (default 10,000)
//
// Snapshots come from the fixture hosts the fleet tests collect with the real collector: 10 boots per
// host, 20 SKUs; on the newest kernel one canary per SKU, every fifth of them regressed.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { collectedHosts, type SkuSpec } from '../test/fleet/support.js';
import { snapshotFileName } from '../src/store/naming.js';
import type { Snapshot } from '../src/snapshot/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '..', '..', 'dist', 'vfio-doctor.mjs');
const maxArg = process.argv.indexOf('--max');
const MAX = maxArg > 0 ? Number(process.argv[maxArg + 1]) : 10_000;
const BOOTS = 10;
const SKUS = 20;

function sku(i: number): SkuSpec {
  return { vendor: `Vendor ${i % 4}`, product: `Model ${i}`, board: `Board ${i}`, cpu: `CPU ${i % 3}`, bios: `1.${i}` };
}

function place(base: Snapshot, host: string, s: SkuSpec, boot: number, release: string): Snapshot {
  const c = structuredClone(base);
  c.host.hostname = host;
  c.collectedAt = new Date(Date.UTC(2026, 9, 1) + boot * 86_400_000).toISOString();
  c.host.kernelRelease = release;
  c.host.bootId = `${(boot + 1).toString(16).padStart(8, '0')}-0000-4000-8000-${Buffer.from(host).toString('hex').slice(0, 12).padEnd(12, '0')}`;
  c.host.dmi = { sysVendor: s.vendor, productName: s.product, boardVendor: s.vendor, boardName: s.board, biosVendor: 'v', biosVersion: s.bios, biosDate: '01/01/2026' };
  if (c.host.cpu) c.host.cpu = { ...c.host.cpu, modelName: s.cpu };
  return c;
}

async function generate(dir: string, count: number): Promise<number> {
  const { old, fresh, regressed } = await collectedHosts();
  let bytes = 0;
  const hosts = Math.ceil(count / BOOTS);
  let written = 0;
  for (let h = 0; h < hosts && written < count; h++) {
    const name = `hv${String(h).padStart(5, '0')}`;
    const s = sku(h % SKUS);
    const hostDir = path.join(dir, name);
    fs.mkdirSync(hostDir, { recursive: true });
    const canary = h < SKUS;
    for (let b = 0; b < BOOTS && written < count; b++) {
      const last = b === BOOTS - 1;
      const release = last && canary ? '6.8.12-9-pve' : `6.8.12-${Math.min(b, 8)}-pve`;
      const base = last && canary ? (h % 5 === 0 ? regressed : fresh) : old;
      const snap = place(base, name, s, b, release);
      const text = JSON.stringify(snap);
      bytes += text.length;
      fs.writeFileSync(path.join(hostDir, snapshotFileName(snap, null)), text);
      written++;
    }
  }
  return bytes;
}

function run(dir: string): { seconds: number; maxRssMb: number; code: number | null; skus: number } {
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, cli, 'fleet', dir, '--json'], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.error) throw r.error;
  const rss = Number(r.stderr.trim().split('\n').at(-1));
  const skus = (JSON.parse(r.stdout) as { skus: unknown[] }).skus.length;
  return { seconds, maxRssMb: rss / 1024, code: r.status, skus };
}

const sizes = [MAX / 4, MAX / 2, MAX].map(Math.round);
const results: { n: number; seconds: number; maxRssMb: number }[] = [];
for (const n of sizes) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-bench-fleet-'));
  try {
    const bytes = await generate(dir, n);
    const r = run(dir);
    results.push({ n, seconds: r.seconds, maxRssMb: r.maxRssMb });
    console.log(`${String(n).padStart(6)} snapshots (${(bytes / 1e6).toFixed(0)} MB of JSON, ${r.skus} SKUs): ${r.seconds.toFixed(2)} s, ${((r.seconds / n) * 1e3).toFixed(2)} ms per snapshot, peak RSS ${r.maxRssMb.toFixed(0)} MB, exit ${r.code}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const first = results[0]!;
const last = results.at(-1)!;
const growth = last.seconds / last.n / (first.seconds / first.n);
console.log(`time per snapshot at ${last.n} vs ${first.n}: ×${growth.toFixed(2)} (linear: about 1); peak memory ${last.maxRssMb.toFixed(0)} MB (limit 300 MB)`);
