import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fsErrorText } from './fs-error-text.js';

/** The target exists and replacing it was not asked for. */
export class TargetExistsError extends Error {}

/** Writing failed; nothing was left behind and the target is as it was. The message is one line. */
export class AtomicWriteError extends Error {
  constructor(
    readonly target: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export type WriteFn = (fd: number, buf: Buffer, offset: number, length: number) => number;

/**
 * Writes all of buf: write(2) may take fewer bytes than asked (a signal, a quota, a pipe), and a
 * single unchecked call is how a full disk once produced a "saved", truncated snapshot.
 */
export function writeAll(fd: number, buf: Buffer, write: WriteFn = (f, b, o, l) => fs.writeSync(f, b, o, l)): void {
  let done = 0;
  while (done < buf.length) {
    const n = write(fd, buf, done, buf.length - done);
    if (!(n > 0)) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    done += n;
  }
}

const TEMP_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

function syncDir(dir: string): void {
  // Makes the new name itself durable; some file systems refuse fsync on a directory, which is not
  // worth failing a write that is already complete.
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    fs.fsyncSync(fd);
  } catch {
    /* best effort */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    /* already gone, or the error that matters is the one being thrown */
  }
}

/**
 * Writes a file so that readers see either nothing or the whole content: a temporary file with a random
 * name in the same directory, created exclusively and never through a symbolic link, written in full,
 * flushed, then linked into place. link() fails when the target exists, which is how an existing file is
 * never overwritten unless `overwrite` is set (then rename() replaces it, or the link standing there,
 * atomically; neither follows a link at the target). Any failure removes the temporary file.
 */
export function writeFileAtomic(target: string, data: string | Buffer, opts: { overwrite?: boolean; mode?: number } = {}): void {
  const abs = path.resolve(target);
  const dir = path.dirname(abs);
  const mode = opts.mode ?? 0o644;
  const tmp = path.join(dir, `.${path.basename(abs)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const fail = (err: unknown): AtomicWriteError =>
    new AtomicWriteError(target, (err as NodeJS.ErrnoException)?.code, `cannot write ${target}: ${fsErrorText(err)}`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, TEMP_FLAGS, mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new AtomicWriteError(target, code, `cannot write ${target}: directory does not exist`);
    throw fail(err);
  }
  let placed = false;
  try {
    try {
      // The umask must not decide the mode of an executable hook or a private snapshot.
      fs.fchmodSync(fd, mode);
      writeAll(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (opts.overwrite) {
      fs.renameSync(tmp, abs);
      placed = true;
    } else {
      try {
        fs.linkSync(tmp, abs);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new TargetExistsError(`${target} already exists (use --force to replace it)`);
        throw err;
      }
    }
    syncDir(dir);
  } catch (err) {
    throw err instanceof TargetExistsError ? err : fail(err);
  } finally {
    if (!placed) removeQuietly(tmp);
  }
}
