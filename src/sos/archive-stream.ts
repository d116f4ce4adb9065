// A sosreport archive read as a stream, in this process: the decompressor (Node's zlib for gzip, a
// WebAssembly xz decoder, the system bzip2/zstd for the rarer formats) feeds a tar reader, and only the
// members vfio-doctor reads are kept. Every byte decompressed counts against a total, so a small archive
// that expands to gigabytes is refused after reading what the limit allows, not after filling a disk.
// What is kept lands in a private directory (0700, files 0600, created exclusively), inside it only:
// links that leave it are not made.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import xz from 'xz-decompress';
import { SOS_ENTRIES } from './layout.js';

export interface UnpackLimits {
  /** Bytes the decompressed stream may have in all (tar headers, skipped members and kept ones). */
  streamBytes: number;
  /** Bytes kept on disk in all. */
  keptBytes: number;
  /** Bytes kept of one member; a longer one keeps its end (logs are read from the end). */
  memberBytes: number;
  /**
   * Past `ratioAfter` bytes, the most the stream may expand per byte of the archive file. sos reports
   * compress about 10:1; a run of zeros, the stuff of compression bombs, 1000:1 and more.
   */
  maxRatio: number;
  ratioAfter: number;
}

export const DEFAULT_LIMITS: UnpackLimits = { streamBytes: 2 ** 30, keptBytes: 512 * 2 ** 20, memberBytes: 64 * 2 ** 20, maxRatio: 200, ratioAfter: 64 * 2 ** 20 };

export class ArchiveLimitError extends Error {}
export class ArchiveFormatError extends Error {}

type Format = 'xz' | 'gzip' | 'bzip2' | 'zstd' | 'tar';

function formatOf(head: Buffer): Format | null {
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (head.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return 'zstd';
  if (head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return null;
}

// Host trees the collector reads; the rest of a report (sos_logs, var/lib, usr/share/doc ...) is skipped.
const TREES = /^(?:sys|proc|etc|boot|lib|lib64|usr\/lib|usr\/lib64|usr\/bin|usr\/sbin|usr\/local\/bin|usr\/local\/sbin|usr\/share\/misc|usr\/share\/hwdata|var\/log|dev|run)(?:\/|$)/;

/** Whether a member (path below the report's top directory) is one vfio-doctor reads. */
export function wanted(rel: string): boolean {
  if (rel.startsWith('sos_commands/')) return SOS_ENTRIES.some((e) => e.pattern.test(rel));
  return TREES.test(rel);
}

/** The member path below the report's top directory, or null for the top directory itself or a path that leaves it. */
function relativeOf(name: string): { top: string; rel: string } | null {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length < 2 || parts.some((p) => p === '..')) return null;
  return { top: parts[0]!, rel: parts.slice(1).join('/') };
}

/** Counts every decompressed byte and stops the stream past the limit. */
class Counter extends Transform {
  total = 0;
  private readonly ratioLimit: number;
  constructor(private readonly limits: UnpackLimits, archiveBytes: number, private readonly what: string) {
    super();
    this.ratioLimit = Math.max(limits.ratioAfter, limits.maxRatio * archiveBytes);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.total += chunk.length;
    if (this.total > this.limits.streamBytes) done(new ArchiveLimitError(`${this.what} expands to more than ${this.limits.streamBytes} bytes: refused (a compression bomb, or a report too big to read)`));
    else if (this.total > this.ratioLimit) done(new ArchiveLimitError(`${this.what} expands more than ${this.limits.maxRatio} times its size: refused as a compression bomb`));
    else done(null, chunk);
  }
}

export interface UnpackHandle {
  /** Ends a running unpack (signal received): its decompressor child is killed and the stream destroyed. */
  abort: () => void;
}

/**
 * Unpacks the wanted members of `archive` into `dest` (an empty private directory). Returns the
 * report's top directory inside `dest`.
 */
export async function unpackWanted(archive: string, dest: string, limits: UnpackLimits = DEFAULT_LIMITS, handle?: (h: UnpackHandle) => void, shown = archive): Promise<string> {
  const fail = (why: string) => new ArchiveFormatError(`${shown}: cannot unpack the archive (${why})`);
  const fd = fs.openSync(archive, 'r');
  const head = Buffer.alloc(512);
  let got: number;
  try {
    got = fs.readSync(fd, head, 0, 512, 0);
  } finally {
    fs.closeSync(fd);
  }
  const format = formatOf(head.subarray(0, got));
  if (!format) throw fail('not a tar archive compressed with xz, gzip, bzip2 or zstd');
  let child: ChildProcess | null = null;
  let source: Readable;
  if (format === 'bzip2' || format === 'zstd') {
    const cmd = format === 'bzip2' ? 'bzip2' : 'zstd';
    child = spawn(cmd, ['-dc', '--', path.resolve(archive)], { stdio: ['ignore', 'pipe', 'ignore'] });
    const spawned = child;
    source = spawned.stdout!;
    spawned.on('error', (err: NodeJS.ErrnoException) => source.destroy(fail(err.code === 'ENOENT' ? `the ${cmd} command is not installed` : `${cmd}: ${err.message}`)));
  } else {
    const file = fs.createReadStream(archive);
    if (format === 'xz') source = Readable.fromWeb(new xz.XzReadableStream(Readable.toWeb(file) as ReadableStream<Uint8Array>) as import('node:stream/web').ReadableStream<Uint8Array>);
    else if (format === 'gzip') source = file.pipe(createGunzip());
    else source = file;
    if (format === 'gzip') file.on('error', (e) => source.destroy(e));
  }
  const counter = new Counter(limits, fs.statSync(archive).size, shown);
  const extract = tar.extract();
  const destReal = fs.realpathSync(dest);
  let top: string | null = null;
  let kept = 0;
  // The reader's own refusal, which the other streams of the pipeline may report as a plain end of data.
  let refused: Error | null = null;
  const links: { at: string; target: string }[] = [];
  const inside = (p: string) => p === destReal || p.startsWith(destReal + path.sep);

  handle?.({
    abort: () => {
      child?.kill('SIGKILL');
      source.destroy(fail('reading stopped'));
    },
  });

  extract.on('entry', (header, stream, next) => {
    const where = relativeOf(header.name);
    const skip = () => {
      stream.on('end', () => next());
      stream.resume();
    };
    // A member that says it is bigger than the whole stream may be: refused before decompressing it.
    if (header.size !== undefined && header.size > limits.streamBytes) {
      return next((refused = new ArchiveLimitError(`${shown}: the member ${header.name} is ${header.size} bytes, more than the ${limits.streamBytes} bytes read from an archive: refused (a compression bomb, or a report too big to read)`)));
    }
    if (!where) return skip();
    if (top === null) top = where.top;
    if (where.top !== top || !wanted(where.rel)) return skip();
    const local = path.join(destReal, where.top, where.rel);
    if (header.type === 'directory') {
      fs.mkdirSync(local, { recursive: true, mode: 0o700 });
      return skip();
    }
    if (header.type === 'symlink' && header.linkname) {
      links.push({ at: local, target: header.linkname });
      return skip();
    }
    if (header.type !== 'file' && header.type !== 'contiguous-file') return skip();
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (data: unknown) => {
      const c = data as Buffer;
      chunks.push(c);
      size += c.length;
      // Keep the end of an oversized member: reports' logs are read from their end.
      while (size - chunks[0]!.length >= limits.memberBytes) size -= chunks.shift()!.length;
    });
    stream.on('end', () => {
      try {
        let data = Buffer.concat(chunks);
        if (data.length > limits.memberBytes) {
          data = data.subarray(data.length - limits.memberBytes);
          data = data.subarray(data.indexOf(10) + 1);
        }
        kept += data.length;
        if (kept > limits.keptBytes) throw new ArchiveLimitError(`${shown}: the members vfio-doctor reads hold more than ${limits.keptBytes} bytes: refused`);
        writePrivate(local, data, inside);
        next();
      } catch (err) {
        next((refused = err as Error));
      }
    });
  });

  try {
    await pipeline(source, counter, extract);
  } catch (err) {
    child?.kill('SIGKILL');
    if (refused) err = refused;
    if (err instanceof ArchiveLimitError || err instanceof ArchiveFormatError) throw err;
    throw fail((err as Error).message);
  }
  if (child && child.exitCode !== null && child.exitCode !== 0) throw fail(`the decompressor exited with status ${child.exitCode}`);
  // Links last, once their targets exist: only those that stay inside the report are made.
  for (const l of links) {
    const resolved = path.resolve(path.dirname(l.at), l.target);
    if (path.isAbsolute(l.target) || !inside(resolved)) continue;
    try {
      fs.mkdirSync(path.dirname(l.at), { recursive: true, mode: 0o700 });
      if (!inside(fs.realpathSync(path.dirname(l.at)))) continue;
      fs.symlinkSync(l.target, l.at);
    } catch {
      // a duplicate or a clash with a file of the same name: the first one stays
    }
  }
  if (top === null) throw fail('the archive is empty');
  return path.join(destReal, top);
}

function writePrivate(local: string, data: Buffer, inside: (p: string) => boolean): void {
  const dir = path.dirname(local);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A directory reached through a link made from the archive must still be inside.
  if (!inside(fs.realpathSync(dir))) return;
  let fd: number;
  try {
    fd = fs.openSync(local, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return; // the same member twice: the first stays
    throw err;
  }
  try {
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
  } finally {
    fs.closeSync(fd);
  }
}
