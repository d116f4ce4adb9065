import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

export class TargetExistsError extends Error {}

/**
 * Writes a file so that readers see either nothing or the whole content: a temporary file in the same
 * directory, flushed, then linked into place. link() fails when the target exists, which is how an
 * existing file is never overwritten unless `overwrite` is set (then rename() replaces it atomically).
 */
export function writeFileAtomic(target: string, data: string | Buffer, opts: { overwrite?: boolean; mode?: number } = {}): void {
  const dir = path.dirname(path.resolve(target));
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', opts.mode ?? 0o644);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    if (opts.overwrite) fs.renameSync(tmp, target);
    else {
      try {
        fs.linkSync(tmp, target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new TargetExistsError(`${target} already exists (use --force to replace it)`);
        throw err;
      }
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
