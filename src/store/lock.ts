import fs from 'node:fs';
import path from 'node:path';
import { fsErrorText } from '../output/fs-error-text.js';

// Saving and pruning the store is serialised between processes (the boot unit and a person running
// snapshot --save at the same time, or a loop of them), so that no two saves report the same name and no
// save reports a file another save has already pruned. The lock is a file created exclusively, holding
// the owner's pid; a lock whose owner is gone (killed mid-save) is taken over.

export const LOCK_NAME = '.vfio-doctor.lock';

const WAIT_STEP_MS = 20;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export class StoreLockError extends Error {}

function ownerAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(lock, 'utf8').trim());
  } catch (err) {
    // Gone already: free. Unreadable: someone else's, treat as held.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
  // An empty file is a lock being created right now.
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs fn holding the store lock of dir; waits up to timeoutMs for another holder. */
export function withStoreLock<T>(dir: string, fn: () => T, timeoutMs = 30_000): T {
  const lock = path.join(dir, LOCK_NAME);
  const deadline = Date.now() + timeoutMs;
  let fd: number | undefined;
  for (;;) {
    try {
      fd = fs.openSync(lock, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
      fs.writeSync(fd, `${process.pid}\n`);
      break;
    } catch (err) {
      if (fd !== undefined) {
        // Created but not written (a full disk): ours, and useless.
        fs.closeSync(fd);
        fs.rmSync(lock, { force: true });
      }
      fd = undefined;
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new StoreLockError(`cannot lock ${dir}: ${fsErrorText(err)}`);
    }
    if (!ownerAlive(lock)) {
      // Renamed aside rather than unlinked: of two processes seeing the same stale lock, only one moves
      // it, and neither can remove a lock the other has just created in its place.
      const aside = `${lock}.stale.${process.pid}`;
      try {
        fs.renameSync(lock, aside);
        if (ownerAlive(aside)) fs.renameSync(aside, lock);
        else fs.rmSync(aside, { force: true });
      } catch {
        /* someone else got there first */
      }
      continue;
    }
    if (Date.now() > deadline) throw new StoreLockError(`${dir}: the snapshot store is locked by another vfio-doctor (${lock}); try again, or remove the lock if no vfio-doctor is running`);
    Atomics.wait(sleeper, 0, 0, WAIT_STEP_MS);
  }
  try {
    return fn();
  } finally {
    fs.closeSync(fd);
    fs.rmSync(lock, { force: true });
  }
}
