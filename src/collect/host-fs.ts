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

function failed(err: unknown): Failed {
  const { status, message } = statusOf(err);
  return { ok: false, status, message };
}

/** What a symbolic link that leaves a capture is recorded as; it is never followed. */
export const OUTSIDE_CAPTURE = 'points outside the capture (link not followed)';

function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}

// O_NONBLOCK: a FIFO planted where a file belongs opens without waiting for a writer (and is then
// refused by fstat); regular files ignore the flag.
const READ_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY;
// Under --root the last component is never followed by open(2) (openFd() checks a link's target first).
const READ_FLAGS_NOFOLLOW = READ_FLAGS | fs.constants.O_NOFOLLOW;

type Failed = { ok: false; status: SourceStatus; message: string };
type Resolved = { ok: true; local: string } | Failed;

/** An absolute path that path.posix.normalize would leave as it is: no "//", ".", ".." or trailing "/". */
function isPlainAbsolute(p: string): boolean {
  return p.length > 1 && p.charCodeAt(0) === 47 && p.charCodeAt(p.length - 1) !== 47 && !p.includes('//') && !p.includes('/.');
}

/** path.join(dir, name) for an absolute dir with no "//", "." or ".." and a name of plain components. */
function joinPlain(dir: string, name: string): string {
  return dir === '/' ? '/' + name : dir + '/' + name;
}

/** path.dirname() of an absolute path with no "//", "." or "..", and no trailing "/". */
function dirnamePlain(p: string): string {
  const cut = p.lastIndexOf('/');
  return cut <= 0 ? '/' : p.slice(0, cut);
}

export class HostFs {
  /** The root with its own links resolved, so that containment compares like with like. */
  private readonly realRoot: string;
  /** Resolved local directories by host path (a capture does not change while it is read). */
  private readonly dirCache = new Map<string, Resolved>();
  /** realpath(3) of local directories that links point into (null: it failed), for realPathOfLink(). */
  private readonly localDirCache = new Map<string, string | null>();

  /** root is '' for the live host, or an absolute directory holding a copy of a host's files. */
  constructor(readonly root: string) {
    let real = root;
    if (root !== '') {
      try {
        real = fs.realpathSync.native(root);
      } catch {
        real = path.resolve(root);
      }
    }
    this.realRoot = real;
  }

  get isLive(): boolean {
    return this.root === '';
  }

  /** The local path for a host path (not checked: see resolve() before opening anything). */
  local(hostPath: string): string {
    return this.root === '' ? hostPath : path.join(this.root, hostPath);
  }

  /** Back from a local path (as realpath gives) to the host path; null when it leaves the root. */
  toHost(localPath: string): string | null {
    if (this.root === '') return localPath;
    // A plain path under the real root (what realpath and the links of a sysfs tree give): the rest of
    // it is what path.relative() would give, without resolving both paths (one per PCI function). Plain
    // means no component starts with ".", so none is a ".." that path.relative() would take for a way out.
    const real = this.realRoot;
    if (real !== '/' && localPath.length > real.length + 1 && localPath.charCodeAt(real.length) === 47 && localPath.startsWith(real) && isPlainAbsolute(localPath)) {
      return localPath.slice(real.length);
    }
    for (const base of [this.realRoot, this.root]) {
      const rel = path.relative(base, localPath);
      if (rel === '') return '/';
      if (!rel.startsWith('..') && !path.isAbsolute(rel)) return '/' + rel.split(path.sep).join('/');
    }
    return null;
  }

  private inside(real: string): boolean {
    return real === this.realRoot || real.startsWith(this.realRoot + path.sep);
  }

  /** A local path fully resolved (every link followed) and checked to be inside the capture. */
  private resolveFully(local: string): Resolved {
    let real: string;
    try {
      real = fs.realpathSync.native(local);
    } catch (err) {
      const { status, message } = statusOf(err);
      return { ok: false, status, message };
    }
    if (!this.inside(real)) return { ok: false, status: 'error', message: OUTSIDE_CAPTURE };
    return { ok: true, local: real };
  }

  private resolveDir(hostDir: string): Resolved {
    let r = this.dirCache.get(hostDir);
    if (r === undefined) {
      r = this.childOfResolved(hostDir) ?? this.resolveFully(path.join(this.root, hostDir));
      this.dirCache.set(hostDir, r);
    }
    return r;
  }

  /**
   * A directory whose parent is already resolved (cached) and which is itself a plain directory, no
   * link: its real path is the parent's joined with its name, found with one lstat instead of
   * realpath(3)'s readlink of every component (the 333 groups under /sys/kernel/iommu_groups of the
   * bench's large host). Null, to let realpath(3) decide, in every other case.
   */
  private childOfResolved(hostDir: string): Resolved | null {
    const slash = hostDir.lastIndexOf('/');
    if (slash < 0 || slash === hostDir.length - 1) return null;
    const parent = this.dirCache.get(slash === 0 ? '/' : hostDir.slice(0, slash));
    if (parent === undefined || !parent.ok) return null;
    const name = hostDir.slice(slash + 1);
    if (name === '.' || name === '..') return null;
    const local = parent.local === '/' ? '/' + name : parent.local + '/' + name;
    try {
      const st = fs.lstatSync(local, { throwIfNoEntry: false });
      return st !== undefined && st.isDirectory() ? { ok: true, local } : null;
    } catch {
      return null;
    }
  }

  /**
   * Where to find a host path on this machine. On the live host, the path itself. Under --root, the
   * directory part resolved inside the capture (its links followed only while they stay inside) joined
   * with the last component, which is left as it is: openers use O_NOFOLLOW and come back to
   * resolveLink() when it is a link, so that a link's target is checked before it is used.
   */
  private place(hostPath: string): Resolved {
    const local = this.placed(hostPath);
    return typeof local === 'string' ? { ok: true, local } : local;
  }

  /** place() without the object around a success: the local path, or the failure. */
  private placed(hostPath: string): string | Failed {
    if (this.root === '') return hostPath;
    // Most paths are already normal ("/sys/devices/.../vendor"): split them without path.posix's
    // normalize, dirname, basename and join, which cost more than the read itself on a large host.
    if (isPlainAbsolute(hostPath)) {
      const slash = hostPath.lastIndexOf('/');
      const dir = this.resolveDir(slash === 0 ? '/' : hostPath.slice(0, slash));
      if (!dir.ok) return dir;
      return dir.local === '/' ? hostPath.slice(slash) : dir.local + hostPath.slice(slash);
    }
    const norm = path.posix.normalize('/' + hostPath);
    if (norm === '/') return this.realRoot;
    const dir = this.resolveDir(path.posix.dirname(norm));
    if (!dir.ok) return dir;
    return path.join(dir.local, path.posix.basename(norm));
  }

  /** The local path for a host path with every link followed inside the capture; the failure otherwise. */
  resolve(hostPath: string): ReadResult<string> {
    const known = this.root === '' ? undefined : this.dirCache.get(path.posix.normalize('/' + hostPath));
    if (known?.ok) return { ok: true, value: known.local, record: { status: 'read', path: hostPath } };
    const placed = this.place(hostPath);
    // place() resolved the directory part inside the capture: a last component that is no link
    // needs no realpath(3) of the whole path (a readlink per component).
    const r = placed.ok && this.root !== '' && !this.isPlainEntry(placed.local) ? this.resolveFully(placed.local) : placed;
    if (!r.ok) return { ok: false, record: { status: r.status, path: hostPath, message: r.message } };
    return { ok: true, value: r.local, record: { status: 'read', path: hostPath } };
  }

  /**
   * Opens a host path for reading: only a regular file, never blocking, never leaving the capture.
   * The caller closes the descriptor.
   */
  openFile(hostPath: string): ReadResult<number> {
    const fd = this.openFd(hostPath);
    if (typeof fd !== 'number') return { ok: false, record: { status: fd.status, path: hostPath, message: fd.message } };
    return { ok: true, value: fd, record: { status: 'read', path: hostPath } };
  }

  /**
   * openFile() without the objects around a success (the descriptor, or the failure): a large host's
   * collection opens thousands of attributes, and readAttr() drops the record of a success anyway.
   */
  private openFd(hostPath: string): number | Failed {
    const local = this.placed(hostPath);
    if (typeof local !== 'string') return local;
    let fd: number;
    try {
      fd = fs.openSync(local, this.root === '' ? READ_FLAGS : READ_FLAGS_NOFOLLOW);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOOP' || this.root === '') return failed(err);
      // The last component is a link: follow it only to a place inside the capture.
      const full = this.resolveFully(local);
      if (!full.ok) return full;
      try {
        fd = fs.openSync(full.local, READ_FLAGS_NOFOLLOW);
      } catch (err2) {
        return failed(err2);
      }
    }
    let st: fs.Stats;
    try {
      st = fs.fstatSync(fd);
    } catch (err) {
      fs.closeSync(fd);
      return failed(err);
    }
    if (!st.isFile()) {
      fs.closeSync(fd);
      if (st.isDirectory()) return { ok: false, status: 'error', message: 'is a directory, expected a file' };
      return { ok: false, status: 'error', message: `not a regular file (${kindOf(st)}), not read` };
    }
    return fd;
  }

  readText(hostPath: string, maxBytes = 1 << 20): ReadResult<string> {
    const r = this.readBytes(hostPath, maxBytes);
    if (!r.ok) return r;
    return { ok: true, value: r.value.toString('utf8'), record: r.record };
  }

  /** A one-line sysfs/procfs attribute, trimmed; null with the record when it cannot be read. */
  readAttr(hostPath: string): string | null {
    const fd = this.openFd(hostPath);
    if (typeof fd !== 'number') return null;
    try {
      // One read into the scratch buffer, decoded from there: an attribute is a few bytes and arrives
      // in one read on sysfs. Anything longer, or a procfs file that may come in pieces, goes on
      // reading as readBytes does (the same 64 KiB cap).
      const n = fs.readSync(fd, SCRATCH, 0, SCRATCH.length, null);
      // No encoding named: Buffer's toString() then decodes UTF-8 without looking the name up.
      if (n < SCRATCH.length && hostPath.startsWith('/sys/')) return n <= 0 ? '' : SCRATCH.toString(undefined, 0, n).trim();
      if (n <= 0) return '';
      const first = Buffer.from(SCRATCH.subarray(0, n));
      const chunks: Buffer[] = [first];
      let total = n;
      for (;;) {
        const want = Math.min(SCRATCH.length, 64 * 1024 - total);
        if (want <= 0) break;
        const m = fs.readSync(fd, SCRATCH, 0, want, null);
        if (m <= 0) break;
        chunks.push(Buffer.from(SCRATCH.subarray(0, m)));
        total += m;
      }
      return (chunks.length === 1 ? first : Buffer.concat(chunks, total)).toString('utf8').trim();
    } catch {
      return null;
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * readBytes() of at most 64 KiB into memory the next read of any HostFs reuses, without the copy: for
   * bytes decoded at once and dropped (a PCI function's config space: 4 KiB each, a thousand of them on
   * a large host, made the young generation fill and be collected several times more).
   */
  readBytesTransient(hostPath: string, maxBytes: number): ReadResult<Uint8Array> {
    if (maxBytes > SCRATCH.length) return this.readBytes(hostPath, maxBytes);
    const opened = this.openFile(hostPath);
    if (!opened.ok) return opened;
    const fd = opened.value;
    try {
      const sysfs = hostPath.startsWith('/sys/');
      let total = 0;
      // The same reads as readBytes() makes, each placed after the last.
      for (;;) {
        const want = maxBytes - total;
        if (want <= 0) break;
        const n = fs.readSync(fd, SCRATCH, total, want, null);
        if (n <= 0) break;
        total += n;
        if (n < want && sysfs) break;
      }
      return { ok: true, value: SCRATCH.subarray(0, total), record: opened.record };
    } catch (err) {
      const { status, message } = statusOf(err);
      return { ok: false, record: { status, path: hostPath, message } };
    } finally {
      fs.closeSync(fd);
    }
  }

  readBytes(hostPath: string, maxBytes = 1 << 20): ReadResult<Buffer> {
    const opened = this.openFile(hostPath);
    if (!opened.ok) return opened;
    const fd = opened.value;
    const record = opened.record;
    try {
      const sysfs = hostPath.startsWith('/sys/');
      const chunks: Buffer[] = [];
      let total = 0;
      // A file on a disk says its size: read into one buffer that size, one byte more to see that it
      // grew meanwhile, rather than 64 KiB pieces copied out and joined (modules.alias and pci.ids are
      // over a megabyte). Not in /proc or /sys, whose sizes say nothing, even as files of a capture.
      const size = sysfs || hostPath.startsWith('/proc/') ? 0 : fs.fstatSync(fd).size;
      if (size > 0) {
        const want = Math.min(size + 1, maxBytes);
        const whole = Buffer.allocUnsafe(want);
        while (total < want) {
          const n = fs.readSync(fd, whole, total, want - total, null);
          if (n <= 0) break;
          total += n;
        }
        if (total < want || total === maxBytes) return { ok: true, value: whole.subarray(0, total), record };
        chunks.push(whole);
      }
      // sysfs files report a size of 4096 whatever they hold, so read until EOF rather than trusting
      // stat; and the cap counts bytes read, so a file that claims to be small cannot be huge.
      // Most reads are a few bytes: one scratch buffer serves them all, and only the bytes read
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
      fs.closeSync(fd);
    }
  }

  /**
   * Remembers a directory resolved inside the capture, so that reading the files in it (place()) does
   * not resolve it again: on a large host that is one realpath less per device and attribute directory.
   * Only a success is kept, and it is what resolveDir() would compute for the same directory.
   */
  private remember(hostDir: string, local: string): void {
    if (this.root === '') return;
    const norm = isPlainAbsolute(hostDir) ? hostDir : path.posix.normalize('/' + hostDir);
    if (!this.dirCache.has(norm)) this.dirCache.set(norm, { ok: true, local });
  }

  /** Entry names of a directory, sorted; the record tells why when it cannot be listed. */
  readDir(hostPath: string): ReadResult<string[]> {
    const dir = this.resolve(hostPath);
    if (!dir.ok) return dir;
    this.remember(hostPath, dir.value);
    try {
      const names = fs.readdirSync(dir.value).sort();
      return { ok: true, value: names, record: { status: 'read', path: hostPath } };
    } catch (err) {
      const { status, message } = statusOf(err);
      return { ok: false, record: { status, path: hostPath, message } };
    }
  }

  /** Names in a directory, or [] when it cannot be listed (use readDir where a denial matters). */
  list(hostPath: string): string[] {
    const r = this.readDir(hostPath);
    return r.ok ? r.value : [];
  }

  /** A link's own text; never followed, so it needs no containment of its target. */
  readLink(hostPath: string): string | null {
    const local = this.placed(hostPath);
    if (typeof local !== 'string') return null;
    try {
      return fs.readlinkSync(local);
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
    const viaLink = this.realPathOfLink(hostPath);
    if (viaLink !== null) return viaLink;
    try {
      const real = fs.realpathSync.native(this.local(hostPath));
      const host = this.toHost(real);
      if (host === null) {
        return { ok: false, record: { status: 'error', path: hostPath, message: OUTSIDE_CAPTURE } };
      }
      if (this.inside(real)) this.remember(host, real);
      return { ok: true, value: host, record: { status: 'read', path: hostPath } };
    } catch (err) {
      const { status, message } = statusOf(err);
      return { ok: false, record: { status, path: hostPath, message: status === 'absent' ? 'dangling symbolic link or missing' : message } };
    }
  }

  /**
   * Whether a host path names something (a link is not followed), without the exception a failed open
   * or readlink costs: for the attributes most devices lack (boot_vga, physfn, virtfn0).
   */
  has(hostPath: string): boolean {
    const local = this.placed(hostPath);
    if (typeof local !== 'string') return false;
    try {
      return fs.lstatSync(local, { throwIfNoEntry: false }) !== undefined;
    } catch {
      return false;
    }
  }

  /**
   * realPath() of a link to a directory ("/sys/bus/pci/devices/X" -> "../../../devices/pci0000:00/X")
   * with one readlink and one lstat instead of realpath(3)'s readlink of every component: the link's
   * directory and its target's directory are resolved once (cached) and shared by all their entries.
   * Null, to let realpath(3) decide, whenever the shortcut could differ from it: the path is not a
   * link, its target is absolute, has "." or ".." past its leading "../" run, or ends in a link.
   */
  private realPathOfLink(hostPath: string): ReadResult<string> | null {
    if (!isPlainAbsolute(hostPath)) return null;
    const slash = hostPath.lastIndexOf('/');
    const hostDir = slash === 0 ? '/' : hostPath.slice(0, slash);
    let fromLocal: string | null;
    if (this.root === '') fromLocal = this.realLocalDir(hostDir);
    else {
      const from = this.resolveDir(hostDir);
      fromLocal = from.ok ? from.local : null;
    }
    if (fromLocal === null) return null;
    let target: string;
    // Every path joined or split below is plain (fromLocal, and the real paths, come from realpath(3) or
    // are joined from such with plain names; the target's components are checked): the string operations
    // give what path.join, dirname and basename would, without their normalising.
    try {
      target = fs.readlinkSync(joinPlain(fromLocal, hostPath.slice(slash + 1)));
    } catch {
      return null;
    }
    let rest = target;
    let up = 0;
    while (rest.startsWith('../')) {
      rest = rest.slice(3);
      up++;
    }
    if (rest === '' || target.startsWith('/') || rest.split('/').some((c) => c === '' || c === '.' || c === '..')) return null;
    let dir = fromLocal;
    for (let i = 0; i < up; i++) dir = dirnamePlain(dir);
    const candidate = joinPlain(dir, rest);
    const cut = candidate.lastIndexOf('/');
    const parentReal = this.realLocalDir(cut === 0 ? '/' : candidate.slice(0, cut));
    if (parentReal === null) return null;
    const real = joinPlain(parentReal, candidate.slice(cut + 1));
    const st = fs.lstatSync(real, { throwIfNoEntry: false });
    if (st === undefined || st.isSymbolicLink()) return null;
    const host = this.toHost(real);
    if (host === null) return { ok: false, record: { status: 'error', path: hostPath, message: OUTSIDE_CAPTURE } };
    if (this.inside(real)) this.remember(host, real);
    return { ok: true, value: host, record: { status: 'read', path: hostPath } };
  }

  /** Whether a local path exists and is not a symbolic link (false when that cannot be told). */
  private isPlainEntry(local: string): boolean {
    try {
      const st = fs.lstatSync(local, { throwIfNoEntry: false });
      return st !== undefined && !st.isSymbolicLink();
    } catch {
      return false;
    }
  }

  /** realpath(3) of a local directory, remembered; null when it fails. */
  private realLocalDir(local: string): string | null {
    let real = this.localDirCache.get(local);
    if (real === undefined) {
      try {
        real = fs.realpathSync.native(local);
      } catch {
        real = null;
      }
      this.localDirCache.set(local, real);
    }
    return real;
  }

  exists(hostPath: string): boolean {
    return this.lstat(hostPath).ok;
  }

  lstat(hostPath: string): ReadResult<fs.Stats> {
    const placed = this.place(hostPath);
    if (!placed.ok) return { ok: false, record: { status: placed.status, path: hostPath, message: placed.message } };
    try {
      return { ok: true, value: fs.lstatSync(placed.local), record: { status: 'read', path: hostPath } };
    } catch (err) {
      const { status, message } = statusOf(err);
      return { ok: false, record: { status, path: hostPath, message } };
    }
  }

  isDir(hostPath: string): boolean {
    const r = this.resolve(hostPath);
    if (!r.ok) return false;
    try {
      return fs.statSync(r.value).isDirectory();
    } catch {
      return false;
    }
  }
}
