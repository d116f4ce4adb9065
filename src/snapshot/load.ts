import { InputReadError, readInputFile } from '../io/read-input.js';
import type { Snapshot } from './types.js';
import { SnapshotLoadError, validateSnapshot } from './validate.js';

export { SnapshotLoadError, validateSnapshot };

/** JSON never holds a NUL byte: a binary file is known from its first block, before the rest is read. */
function notJsonStart(head: Buffer): string | null {
  return head.includes(0) ? 'binary data, not a vfio-doctor snapshot (expected JSON)' : null;
}

export function loadSnapshotFile(file: string): Snapshot {
  let text: string;
  try {
    // Only a regular file, at most MAX_INPUT_BYTES read (a FIFO or /dev/zero given as a snapshot would
    // otherwise hang or exhaust memory), and not JSON at all is refused from its first block.
    text = readInputFile(file, file, { sniff: notJsonStart }).toString('utf8');
  } catch (err) {
    if (err instanceof InputReadError) throw new SnapshotLoadError(err.message);
    throw err;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new SnapshotLoadError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  return validateSnapshot(data, file);
}
