// Temporary directories for tests. Each is removed when its test ends (given the test context) and, at
// the latest, when the test file's process exits: a test that forgets, or fails before its own cleanup,
// still leaves nothing behind.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const live = new Set<string>();

process.on('exit', () => {
  for (const dir of live) fs.rmSync(dir, { recursive: true, force: true });
});

/** The part of a test context this needs: node:test's TestContext and SuiteContext both have it. */
interface HasAfter {
  after(fn: () => void | Promise<void>): void;
}

export function tempDir(prefix: string, t?: HasAfter): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `vfio-doctor-${prefix}-`));
  live.add(dir);
  t?.after(() => removeTempDir(dir));
  return dir;
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  live.delete(dir);
}
