import fs from 'node:fs';
import path from 'node:path';
import type { SourceRecord, SourceStatus } from '../snapshot/types.js';

// Every read of the inspected host goes through here, so that --root DIR is honoured everywhere and
// every failure becomes a status (absent / denied / error) instead of an exception.

export type ReadResult<T> = { ok: true; value: T; record: SourceRecord } | { ok: false; record: SourceRecord };

function statusOf(err: unknown): { status: SourceStatus; message: string } {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return { status: 'absent', message: 'not present' };
    case 'EACCES':
    case 'EPERM':
      return { status: 'denied', message: 'permission denied (run as root to read it)' };
    case 'ELOOP':
      return { status: 'error', message: 'symbolic link loop' };
    case 'EISDIR':
      return { status: 'error', message: 'is a directory, expected a file' };
    default:
      return { status: 'error', message: e?.message ?? String(err) };
  }
}

const SCRATCH = Buffer.allocUnsafe(64 * 1024);

export class HostFs {
  /** root is '' for the live host, or an absolute directory holding a copy of a host's files. */
  constructor(readonly root: string) {}

  get isLive(): boolean {
    return this.root === '';
  }

  /** The local path for a host path. */
  local(hostPath: string): string {
    return this.root === '' ? hostPath : path.join(this.root, hostPath);
  }

  /** Back from a local path (as realpath gives) to the host path; null when it leaves the root. */
  toHost(localPath: string): string | null {
    if (this.root === '') return localPath;
    const rel = path.relative(this.root, localPath);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
    return '/' + rel.split(path.sep).join('/');
  }

  readText(hostPath: string, maxBytes = 1 << 20): ReadResult<string> {
    const r = this.readBytes(hostPath, maxBytes);
    if (!r.ok) return r;
    return { ok: true, value: r.value.toString('utf8'), record: r.record };
  }

  /** A one-line sysfs/procfs attribute, trimmed; null with the record when it cannot be read. */
  readAttr(hostPath: string): string | null {
    const r = this.readText(hostPath, 64 * 1024);
    return r.ok ? r.value.trim() : null;
  }

  readBytes(hostPath: string, maxBytes = 1 << 20): ReadResult<Buffer> {
    const record: SourceRecord = { status: 'read', path: hostPath };
    let fd: number | undefined;
    try {
      fd = fs.openSync(this.local(hostPath), 'r');
      const sysfs = hostPath.startsWith('/sys/');
      const chunks: Buffer[] = [];
      let total = 0;
      // sysfs files report a size of 4096 whatever they hold, so read until EOF rather than trusting
      // stat. Most reads are a few bytes: one scratch buffer serves them all, and only the bytes read
      // are copied out (a fresh 64 KiB buffer per attribute made collection GC-bound).
      for (;;) {
        const want = Math.min(SCRATCH.length, maxBytes - total);
        if (want <= 0) break;
        const n = fs.readSync(fd, SCRATCH, 0, want, null);
        if (n <= 0) break;
        chunks.push(Buffer.from(SCRATCH.subarray(0, n)));
        total += n;
        // A sysfs attribute arrives in one read, so a short read there is its end: skip the read that
        // would only return 0 (thousands of them on a large host). procfs may return less and go on.
        if (n < want && sysfs) break;
      }
      return { ok: true, value: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total), record };
    } catch (err) {
      const { status, message } = statusOf(err);
      return { ok: false, record: { status, path: hostPath, message } };
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  /** Entry names of a directory, sorted; the record tells why when it cannot be listed. */
  readDir(hostPath: string): ReadResult<string[]> {
    try {
      const names = fs.readdirSync(this.local(hostPath)).sort();
      return { ok: true, value: names, record: { status: 'read', path: hostPath } };
    } catch (err) {
      const { status, message } = statusOf(err);
      return { ok: false, record: { status, path: hostPath, message } };
    }
  }

  /** Names in a directory, or [] when it cannot be listed. */
  list(hostPath: string): string[] {
    const r = this.readDir(hostPath);
    return r.ok ? r.value : [];
  }

  readLink(hostPath: string): string | null {
    try {
      return fs.readlinkSync(this.local(hostPath));
    } catch {
      return null;
    }
  }

  /** The last path component a symlink points to ("driver" -> "vfio-pci"). */
  linkBase(hostPath: string): string | null {
    const target = this.readLink(hostPath);
    return target === null ? null : path.posix.basename(target);
  }

  /** The resolved host path; for a dangling link, a loop or an escape from the root, the failure. */
  realPath(hostPath: string): ReadResult<string> {
    try {
      const real = fs.realpathSync.native(this.local(hostPath));
      const host = this.toHost(real);
      if (host === null) {
        return { ok: false, record: { status: 'error', path: hostPath, message: 'link points outside the root directory' } };
      }
      return { ok: true, value: host, record: { status: 'read', path: hostPath } };
    } catch (err) {
      const { status, message } = statusOf(err);
      return { ok: false, record: { status, path: hostPath, message: status === 'absent' ? 'dangling symbolic link or missing' : message } };
    }
  }

  exists(hostPath: string): boolean {
    try {
      fs.lstatSync(this.local(hostPath));
      return true;
    } catch {
      return false;
    }
  }

  lstat(hostPath: string): ReadResult<fs.Stats> {
    try {
      return { ok: true, value: fs.lstatSync(this.local(hostPath)), record: { status: 'read', path: hostPath } };
    } catch (err) {
      const { status, message } = statusOf(err);
      return { ok: false, record: { status, path: hostPath, message } };
    }
  }

  isDir(hostPath: string): boolean {
    try {
      return fs.statSync(this.local(hostPath)).isDirectory();
    } catch {
      return false;
    }
  }
}
