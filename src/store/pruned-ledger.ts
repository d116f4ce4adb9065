import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../output/atomic-write.js';
import { fsErrorText } from '../output/fs-error-text.js';
import { parseSnapshotFileName } from './naming.js';

// The names --keep has removed. A save whose collection is slow can carry a time older than snapshots
// already pruned (eight saves within two seconds with --keep 3 did, in CI), and looking only at the
// files still present would hand it a removed name again: somebody was told that path holds their
// snapshot. The ledger is written before a file is removed, so a name is never free without a record.

export const LEDGER_NAME = '.vfio-doctor.pruned';

// A removed name can only come back with a collection time at least as old as it; keeping the last few
// thousand removals covers years of a boot-time save with --keep, and bounds the file (~60 bytes each).
const MAX_ENTRIES = 4096;

export class LedgerError extends Error {}

/** A stored name without its collision counter: what two saves in one second share. */
export function counterBase(file: string): string {
  return file.replace(/\+\d+\.json$/, '.json');
}

function readEntries(dir: string): string[] {
  const file = path.join(dir, LEDGER_NAME);
  let text: string;
  try {
    // Not through a link: the store is the only place this file may be read from.
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      if (!fs.fstatSync(fd).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EINVAL' });
      text = fs.readFileSync(fd, 'latin1');
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new LedgerError(`cannot read ${file}: ${fsErrorText(err)}`);
  }
  // Lines that are not snapshot names (an edit by hand, a torn copy) cannot have been handed out by us.
  return text.split('\n').filter((l) => parseSnapshotFileName(l) !== null);
}

/** The highest collision counter --keep has removed for each name base. */
export function prunedCounters(dir: string): Map<string, number> {
  const max = new Map<string, number>();
  for (const name of readEntries(dir)) {
    const n = parseSnapshotFileName(name)!;
    const base = counterBase(name);
    max.set(base, Math.max(max.get(base) ?? -1, n.counter));
  }
  return max;
}

/** Records names about to be removed; throws LedgerError when they cannot be recorded. */
export function recordPruned(dir: string, names: string[]): void {
  if (names.length === 0) return;
  const entries = [...readEntries(dir), ...names].slice(-MAX_ENTRIES);
  const file = path.join(dir, LEDGER_NAME);
  try {
    writeFileAtomic(file, entries.join('\n') + '\n', { overwrite: true, mode: 0o600 });
  } catch (err) {
    throw new LedgerError(err instanceof Error ? err.message : `cannot write ${file}`);
  }
}
