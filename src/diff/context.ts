import type { PciDevice, Snapshot } from '../snapshot/types.js';
import { buildContext, type AnalysisContext, type AnalysisOptions } from '../analyze/context.js';
import { isBridge } from '../analyze/pci-facts.js';

// Everything the change classes ask about a snapshot, indexed once per comparison so that no class
// searches the device list: address lookups, group membership, targets. The same function can sit
// at a different address after an update (bus renumbering, a card moved), so the two sides are
// matched by identity first and every class compares matched pairs.

export interface Side {
  snap: Snapshot;
  analysis: AnalysisContext;
  byAddress: Map<string, PciDevice>;
  /** address -> IOMMU group id; empty when no group could be read. */
  groupOf: Map<string, number>;
  members: Map<number, string[]>;
  /** DMA remapping on (groups exist); null when that could not be read. */
  iommuActive: boolean | null;
}

export interface DiffContext {
  a: Side;
  b: Side;
  /** Address in the earlier snapshot -> address of the same function in the later one. */
  aToB: Map<string, string>;
  bToA: Map<string, string>;
  /**
   * The matched functions themselves, in aToB's order: matchedA[i] (at an address x of the earlier
   * snapshot) is the function matchedB[i] of the later one (at aToB.get(x)). The classes that look at
   * every matched pair read these rather than two address lookups a pair.
   */
  matchedA: PciDevice[];
  matchedB: PciDevice[];
  /** Same vendor:device:subsystem found at another address. */
  moved: { from: string; to: string }[];
  appeared: string[];
  disappeared: string[];
  /** Whether a function (given by its address on side a or b) is a passthrough target on either side. */
  isTargetA: (address: string) => boolean;
  isTargetB: (address: string) => boolean;
  /** Some target exists on either side: without one, the comparison judges host readiness. */
  anyTargets: boolean;
}

function identity(d: PciDevice): string {
  return `${d.vendorId}:${d.deviceId}:${d.subsystemVendorId ?? '-'}:${d.subsystemDeviceId ?? '-'}`;
}

/**
 * identity(x) === identity(y), without building the two strings for every function at the same address
 * on both sides (most of them): equal fields give equal strings, and only when a field differs is the
 * string compared (a field holding ":" could still join to the same string).
 */
export function sameIdentity(x: PciDevice, y: PciDevice): boolean {
  if (x.vendorId === y.vendorId && x.deviceId === y.deviceId && (x.subsystemVendorId ?? '-') === (y.subsystemVendorId ?? '-') && (x.subsystemDeviceId ?? '-') === (y.subsystemDeviceId ?? '-')) return true;
  return identity(x) === identity(y);
}

function side(snap: Snapshot, opts: AnalysisOptions): Side {
  const byAddress = new Map<string, PciDevice>();
  for (const d of snap.pci) byAddress.set(d.address, d);
  const groupOf = new Map<string, number>();
  const members = new Map<number, string[]>();
  const add = (address: string, id: number) => {
    if (groupOf.has(address)) return;
    groupOf.set(address, id);
    const list = members.get(id);
    if (list) list.push(address);
    else members.set(id, [address]);
  };
  for (const g of snap.iommu.groups ?? []) for (const a of g.devices) add(a, g.id);
  for (const d of snap.pci) if (d.iommuGroup !== null) add(d.address, d.iommuGroup);
  const analysis = buildContext(snap, opts);
  return { snap, analysis, byAddress, groupOf, members, iommuActive: analysis.iommuActive };
}

/** Pairs functions that are gone from one address with the same kind of function that turned up at another. */
function matchMoved(a: Side, b: Side, aOnly: string[], bOnly: string[]): { moved: { from: string; to: string }[]; appeared: string[]; disappeared: string[] } {
  const pool = new Map<string, string[]>();
  for (const addr of bOnly) {
    const key = identity(b.byAddress.get(addr)!);
    const list = pool.get(key);
    if (list) list.push(addr);
    else pool.set(key, [addr]);
  }
  const moved: { from: string; to: string }[] = [];
  const disappeared: string[] = [];
  // Sorted order on both sides pairs identical cards by position, which is what bus renumbering keeps.
  for (const addr of aOnly) {
    const d = a.byAddress.get(addr)!;
    // A bridge "moving" is just the topology being renumbered; its children carry the meaning.
    const list = isBridge(d) ? undefined : pool.get(identity(d));
    const to = list?.shift();
    if (to !== undefined) moved.push({ from: addr, to });
    else disappeared.push(addr);
  }
  const taken = new Set(moved.map((m) => m.to));
  return { moved, appeared: bOnly.filter((x) => !taken.has(x)), disappeared };
}

export function buildDiffContext(before: Snapshot, after: Snapshot, opts: AnalysisOptions = {}): DiffContext {
  const a = side(before, opts);
  const b = side(after, opts);
  const aToB = new Map<string, string>();
  const bToA = new Map<string, string>();
  const matchedA: PciDevice[] = [];
  const matchedB: PciDevice[] = [];
  const aOnly: string[] = [];
  for (const [addr, d] of a.byAddress) {
    const other = b.byAddress.get(addr);
    if (other && sameIdentity(other, d)) {
      aToB.set(addr, addr);
      bToA.set(addr, addr);
      matchedA.push(d);
      matchedB.push(other);
    } else aOnly.push(addr);
  }
  const bOnly = [...b.byAddress.keys()].filter((x) => !bToA.has(x));
  aOnly.sort();
  bOnly.sort();
  const { moved, appeared, disappeared } = matchMoved(a, b, aOnly, bOnly);
  for (const m of moved) {
    aToB.set(m.from, m.to);
    bToA.set(m.to, m.from);
    matchedA.push(a.byAddress.get(m.from) as PciDevice);
    matchedB.push(b.byAddress.get(m.to) as PciDevice);
  }
  const isTargetA = (x: string) => {
    if (a.analysis.isTarget(x)) return true;
    const y = aToB.get(x);
    return y !== undefined && b.analysis.isTarget(y);
  };
  const isTargetB = (y: string) => {
    if (b.analysis.isTarget(y)) return true;
    const x = bToA.get(y);
    return x !== undefined && a.analysis.isTarget(x);
  };
  return {
    a,
    b,
    aToB,
    bToA,
    matchedA,
    matchedB,
    moved,
    appeared,
    disappeared,
    isTargetA,
    isTargetB,
    anyTargets: a.analysis.targets.length > 0 || b.analysis.targets.length > 0,
  };
}
