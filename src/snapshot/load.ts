import fs from 'node:fs';
import type { Snapshot } from './types.js';
import { SnapshotLoadError, validateSnapshot } from './validate.js';

export { SnapshotLoadError, validateSnapshot };

export function loadSnapshotFile(file: string): Snapshot {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SnapshotLoadError(`${file}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : e.message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new SnapshotLoadError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  return validateSnapshot(data, file);
}
