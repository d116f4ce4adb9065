// Snapshots of a small fleet for the fleet, policy and HTML tests: three fixture hosts collected by the
// real collector (healthy on the old kernel, healthy on the new one, and the new kernel leaving ACS off
// so the HBA's group merges with the NIC), then placed on hosts of three hardware SKUs.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BOOT_A, BOOT_B, collectHost, hostSpec } from '../diff/support/hosts.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { saveSnapshot } from '../../src/store/store.js';

export const OLD = '6.8.12-4-pve';
export const NEW = '6.8.12-5-pve';

export interface Collected {
  old: Snapshot;
  fresh: Snapshot;
  regressed: Snapshot;
}

let collected: Promise<Collected> | null = null;

export function collectedHosts(): Promise<Collected> {
  collected ??= (async () => ({
    old: await collectHost(hostSpec({ release: OLD })),
    fresh: await collectHost(hostSpec({ release: NEW, bootId: BOOT_B })),
    regressed: await collectHost(hostSpec({ release: NEW, bootId: BOOT_B, rootPortAcs: 'off' })),
  }))();
  return collected;
}

export interface SkuSpec {
  vendor: string;
  product: string;
  board: string;
  cpu: string;
  bios: string;
}

export const SKU_A: SkuSpec = { vendor: 'Supermicro', product: 'SYS-1029P-WTR', board: 'X11DDW-L', cpu: 'Intel(R) Xeon(R) Silver 4210 CPU @ 2.20GHz', bios: '3.4' };
export const SKU_B: SkuSpec = { vendor: 'Dell Inc.', product: 'PowerEdge R740', board: '0WRPXK', cpu: 'Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz', bios: '2.19.1' };
export const SKU_C: SkuSpec = { vendor: 'HPE', product: 'ProLiant DL380 Gen10', board: 'ProLiant DL380 Gen10', cpu: 'Intel(R) Xeon(R) Gold 5218 CPU @ 2.30GHz', bios: 'U30 v2.72' };

let bootCounter = 0;

/** One boot of a host: the collected snapshot given a host name, hardware, boot id and time. */
export function bootOf(base: Snapshot, host: string, sku: SkuSpec, at: string, bios = sku.bios): Snapshot {
  const s = structuredClone(base);
  s.host.hostname = host;
  s.collectedAt = at;
  bootCounter++;
  s.host.bootId = `${bootCounter.toString(16).padStart(8, '0')}-0000-4000-8000-${host.padEnd(12, '0').slice(0, 12).replace(/[^0-9a-f]/g, 'a')}`;
  s.host.dmi = { sysVendor: sku.vendor, productName: sku.product, boardVendor: sku.vendor, boardName: sku.board, biosVendor: 'vendor', biosVersion: bios, biosDate: '01/02/2026' };
  if (s.host.cpu) s.host.cpu = { ...s.host.cpu, modelName: sku.cpu };
  return s;
}

export function tempDir(t: { after: (fn: () => void) => void }, prefix = 'vd-fleet-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Saves boots into one store directory per host under root, as "snapshot --save --dir root/HOST" would. */
export function saveBoots(root: string, boots: Snapshot[]): void {
  for (const b of boots) saveSnapshot(b, { dir: path.join(root, b.host.hostname ?? 'unnamed') });
}

/**
 * The fleet of the test: SKU A's canary regressed on the new kernel (and was rolled back), SKU B's
 * canary is healthy on it, SKU C has not booted it anywhere (c2 has the longest history).
 */
export async function threeSkuFleet(): Promise<Snapshot[]> {
  const { old, fresh, regressed } = await collectedHosts();
  return [
    bootOf(old, 'a1', SKU_A, '2026-11-01T08:00:00Z'),
    bootOf(regressed, 'a1', SKU_A, '2026-11-10T08:00:00Z'),
    bootOf(old, 'a1', SKU_A, '2026-11-10T09:00:00Z'),
    bootOf(old, 'a2', SKU_A, '2026-11-01T08:00:00Z'),
    bootOf(old, 'b1', SKU_B, '2026-11-01T08:00:00Z'),
    bootOf(fresh, 'b1', SKU_B, '2026-11-11T08:00:00Z'),
    bootOf(old, 'b2', SKU_B, '2026-11-01T08:00:00Z', '2.17.1'),
    bootOf(old, 'c1', SKU_C, '2026-11-01T08:00:00Z'),
    bootOf(old, 'c2', SKU_C, '2026-10-01T08:00:00Z'),
    bootOf(old, 'c2', SKU_C, '2026-11-01T08:00:00Z'),
  ];
}
