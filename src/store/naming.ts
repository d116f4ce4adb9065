import type { Snapshot } from '../snapshot/types.js';

// A stored snapshot's file name says when, which kernel and which boot, so a listing alone answers
// "which boots do I have" and retention needs no file opened:
//
//   <UTC time>_<kernel release>_<boot id, 8 hex>[_<label>][+<n>].json
//   20261124T101500Z_6.8.12-4-pve_3f2a1c9e.json
//   20261124T101500Z_6.8.12-4-pve_3f2a1c9e_before-upgrade.json
//
// "_" separates fields, so it is replaced inside them; "+n" is added only when a name is taken (two
// saves within one second), because a stored snapshot is never overwritten.

export interface StoredName {
  file: string;
  /** Sortable UTC time, e.g. 20261124T101500Z. */
  time: string;
  kernel: string;
  /** First 8 hex digits of the boot id, or "unknown". */
  boot: string;
  /** The label as it appears in the name (sanitised); null for an unlabelled snapshot. */
  label: string | null;
  counter: number;
}

const NAME = /^(\d{8}T\d{6}Z)_([A-Za-z0-9.+~-]+)_([0-9a-f]{8}|unknown)(?:_([A-Za-z0-9.-]+))?(?:\+(\d+))?\.json$/;

function compactTime(iso: string): string {
  const d = new Date(iso);
  const t = Number.isNaN(d.getTime()) ? new Date(0) : d;
  return t.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function sanitiseKernel(release: string | null): string {
  const s = (release ?? '').replace(/[^A-Za-z0-9.+~-]+/g, '-').replace(/^-+|-+$/g, '');
  return s || 'unknown';
}

/** A label as it can stand in a file name; never empty, so a labelled snapshot always shows as one. */
export function sanitiseLabel(label: string): string {
  const s = label.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 48).replace(/[-.]+$/, '');
  return s || 'label';
}

function shortBoot(bootId: string | null): string {
  const hex = (bootId ?? '').toLowerCase().replace(/[^0-9a-f]/g, '');
  return hex.length >= 8 ? hex.slice(0, 8) : 'unknown';
}

export function snapshotFileName(s: Snapshot, label: string | null, counter = 0): string {
  const parts = [compactTime(s.collectedAt), sanitiseKernel(s.host.kernelRelease), shortBoot(s.host.bootId)];
  if (label !== null) parts.push(sanitiseLabel(label));
  return `${parts.join('_')}${counter > 0 ? `+${counter}` : ''}.json`;
}

export function parseSnapshotFileName(file: string): StoredName | null {
  const m = NAME.exec(file);
  if (!m) return null;
  return { file, time: m[1]!, kernel: m[2]!, boot: m[3]!, label: m[4] ?? null, counter: m[5] ? Number(m[5]) : 0 };
}

/** Oldest first: by time, then by the collision counter. */
export function compareStored(a: StoredName, b: StoredName): number {
  return a.time < b.time ? -1 : a.time > b.time ? 1 : a.counter - b.counter || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
}
