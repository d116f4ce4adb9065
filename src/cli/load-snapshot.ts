// A snapshot file named on the command line: a load error is the user's input, reported in one line (exit 2).
import { loadSnapshotFile, SnapshotLoadError } from '../snapshot/load.js';
import type { Snapshot } from '../snapshot/types.js';
import { InputError } from './command.js';

export function loadSnapshotArg(file: string): Snapshot {
  try {
    return loadSnapshotFile(file);
  } catch (err) {
    if (err instanceof SnapshotLoadError) throw new InputError(err.message);
    throw err;
  }
}
