import fs from 'node:fs';
import path from 'node:path';
import type { Snapshot } from '../snapshot/types.js';
import { loadSnapshotFile } from '../snapshot/load.js';
import { AtomicWriteError, writeFileAtomic, TargetExistsError } from '../output/atomic-write.js';
import { fsErrorText } from '../output/fs-error-text.js';
import { StoreLockError, withStoreLock } from './lock.js';
import { counterBase, LedgerError, prunedCounters, recordPruned } from './pruned-ledger.js';
import { compareStored, parseSnapshotFileName, sanitiseLabel, snapshotFileName, type StoredName } from './naming.js';

// The snapshot store: a directory of snapshots named by time, kernel and boot (naming.ts). Writes are
// atomic and never replace a file; retention removes only unlabelled snapshots, because a labelled one
// is somebody's baseline.

export const DEFAULT_STORE_DIR = '/var/lib/vfio-doctor/snapshots';

export class StoreError extends Error {}

/** The store directory: --dir as given, else the default under --root (or /). */
export function storeDir(opts: { dir?: string | undefined; root?: string | undefined; cwd: string }): string {
  if (opts.dir !== undefined) return path.resolve(opts.cwd, opts.dir);
  return path.join(opts.root ?? '/', DEFAULT_STORE_DIR);
}

function errnoText(e: NodeJS.ErrnoException): string {
  if (e.code === 'ENOENT') return 'no such directory';
  if (e.code === 'ENOTDIR') return 'not a directory';
  return fsErrorText(e);
}

/** Stored snapshots in a directory, oldest first. Files that do not follow the naming are left alone. */
export function listStored(dir: string): StoredName[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    throw new StoreError(`${dir}: ${errnoText(err as NodeJS.ErrnoException)}`);
  }
  // Only regular files count: a directory or a link that happens to carry a snapshot's name is a
  // stranger, and must neither be offered to diff nor be pruned.
  const stored = names
    .map(parseSnapshotFileName)
    .filter((n): n is StoredName => n !== null)
    .filter((n) => {
      try {
        return fs.lstatSync(path.join(dir, n.file)).isFile();
      } catch {
        return false;
      }
    });
  // Names resolve to the second; two saves within one second are ordered by when they were written.
  const mtime = new Map<string, number>();
  const when = (n: StoredName) => {
    let t = mtime.get(n.file);
    if (t === undefined) {
      try {
        t = fs.statSync(path.join(dir, n.file)).mtimeMs;
      } catch {
        t = 0;
      }
      mtime.set(n.file, t);
    }
    return t;
  };
  return stored.sort((a, b) => (a.time === b.time ? when(a) - when(b) || compareStored(a, b) : compareStored(a, b)));
}

export interface SaveResult {
  file: string;
  removed: string[];
  /** The save succeeded but --keep could not remove an older snapshot: why. */
  pruneError: string | null;
}

export interface SaveOptions {
  dir: string;
  label?: string | null;
  /** Keep this many unlabelled snapshots (the newest); labelled ones are never removed. */
  keep?: number | null;
  /**
   * Called with the result while the store is still locked, so that what it reports (the saved path)
   * cannot have been pruned by a concurrent save by the time it is printed.
   */
  onSaved?: (result: SaveResult) => void;
}

function makeDir(dir: string): void {
  try {
    // 0700: snapshots hold the command line, modprobe.d and mount sources of the host.
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EEXIST' || e.code === 'ENOTDIR') throw new StoreError(`cannot create ${dir}: a file that is not a directory is in the way`);
    throw new StoreError(`cannot create ${dir}: ${errnoText(e)}`);
  }
  if (!fs.statSync(dir).isDirectory()) throw new StoreError(`${dir}: not a directory`);
}

/**
 * The collision counter for a new name: above every counter used for the same time, kernel and boot,
 * whether its file is still there or --keep removed it (pruned-ledger.ts), so that a freed name is never
 * handed out again (somebody may have been given it).
 */
function nextCounter(dir: string, base: string): number {
  let max = -1;
  for (const n of listStored(dir)) {
    if (counterBase(n.file) === base) max = Math.max(max, n.counter);
  }
  let pruned: Map<string, number>;
  try {
    pruned = prunedCounters(dir);
  } catch (err) {
    if (err instanceof LedgerError) throw new StoreError(err.message);
    throw err;
  }
  return Math.max(max, pruned.get(base) ?? -1) + 1;
}

export function saveSnapshot(snap: Snapshot, opts: SaveOptions): SaveResult {
  const label = opts.label ?? null;
  const stored: Snapshot = label !== null ? { ...snap, label } : snap;
  makeDir(opts.dir);
  const text = JSON.stringify(stored, null, 2) + '\n';
  try {
    return withStoreLock(opts.dir, () => {
      let file = '';
      for (let counter = nextCounter(opts.dir, snapshotFileName(stored, label, 0)); ; counter++) {
        file = path.join(opts.dir, snapshotFileName(stored, label, counter));
        try {
          writeFileAtomic(file, text, { mode: 0o600 });
          break;
        } catch (err) {
          if (err instanceof TargetExistsError && counter < 1000) continue;
          if (err instanceof TargetExistsError) throw new StoreError(`${opts.dir}: too many snapshots with the same name`);
          if (err instanceof AtomicWriteError) throw new StoreError(err.message);
          throw err;
        }
      }
      const result: SaveResult = { file, removed: [], pruneError: null };
      if (opts.keep != null) {
        try {
          result.removed = prune(opts.dir, opts.keep, path.basename(file));
        } catch (err) {
          if (!(err instanceof PruneError)) throw err;
          result.removed = err.removed;
          result.pruneError = err.message;
        }
      }
      opts.onSaved?.(result);
      return result;
    });
  } catch (err) {
    if (err instanceof StoreLockError) throw new StoreError(err.message);
    throw err;
  }
}

class PruneError extends Error {
  constructor(
    message: string,
    readonly removed: string[],
  ) {
    super(message);
  }
}

/** Deletes the oldest unlabelled snapshots beyond `keep`; never the one just written. */
function prune(dir: string, keep: number, justWritten: string | null = null): string[] {
  const unlabelled = listStored(dir).filter((n) => n.label === null);
  const excess = unlabelled.length - keep;
  if (excess <= 0) return [];
  const removed: string[] = [];
  // The one just written counts among the kept even when its collection time sorts it older (a slow
  // collection saved after a quicker one), so the store still ends with exactly `keep`.
  const doomed = unlabelled.filter((u) => u.file !== justWritten).slice(0, excess);
  try {
    recordPruned(dir, doomed.map((n) => n.file));
  } catch (err) {
    if (err instanceof LedgerError) throw new PruneError(`nothing removed: ${err.message}`, removed);
    throw err;
  }
  for (const n of doomed) {
    const p = path.join(dir, n.file);
    try {
      fs.unlinkSync(p);
      removed.push(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new PruneError(`cannot remove ${p}: ${errnoText(err as NodeJS.ErrnoException)}`, removed);
    }
  }
  return removed;
}

/** The newest snapshot and the newest one before it from another boot (null when there is none). */
export function lastTwoBoots(dir: string): { before: string | null; after: string } {
  const all = listStored(dir);
  const newest = all.at(-1);
  if (!newest) throw new StoreError(`${dir}: no saved snapshots (vfio-doctor snapshot --save writes them)`);
  // An unknown boot id cannot be proven to be the same boot: treat it as another one.
  const other = [...all].reverse().find((n) => n !== newest && (n.boot !== newest.boot || n.boot === 'unknown'));
  return { before: other ? path.join(dir, other.file) : null, after: path.join(dir, newest.file) };
}

/**
 * The newest snapshot carrying `label` and the newest snapshot overall. The name holds the sanitised
 * label; the snapshot's own label decides, so two labels that sanitise alike are told apart.
 */
export function baselineAndNewest(dir: string, label: string): { baseline: string; newest: string; baselineSnapshot: Snapshot } {
  const all = listStored(dir);
  const newest = all.at(-1);
  if (!newest) throw new StoreError(`${dir}: no saved snapshots (vfio-doctor snapshot --save writes them)`);
  const wanted = sanitiseLabel(label);
  for (const n of [...all].reverse()) {
    if (n.label !== wanted) continue;
    const file = path.join(dir, n.file);
    const snap = loadSnapshotFile(file);
    if (snap.label !== label) continue;
    if (n === newest) throw new StoreError(`${file}: the baseline "${label}" is the newest snapshot; save one after it to compare (vfio-doctor snapshot --save)`);
    return { baseline: file, newest: path.join(dir, newest.file), baselineSnapshot: snap };
  }
  throw new StoreError(`${dir}: no snapshot labelled "${label}" (save one with vfio-doctor snapshot --save --label "${label}")`);
}
