// When a walk of the compressed region may stop before its end. initramfs-tools' mkinitramfs writes its
// main archive from `find . | LC_ALL=C sort`, so once the walk has passed the last path a caller asks
// about, nothing at or before that path can follow. That is only trusted when it is proven as the walk
// goes: the image must look like an initramfs-tools one (its own files, which sort near the start), every
// member so far must be in strictly increasing byte order within the first archive of the region, and the
// region must be one zstd frame that runs to the end of the file (no second compressed stream appended,
// as catenate_cpiogz does). Anything else (dracut, a hand-made image, another compression, a member out
// of order) is read to the end.

import { closeSync, openSync, readSync } from 'node:fs';

/** Files every initramfs-tools image holds; all of them sort before "usr/". */
const INITRAMFS_TOOLS_FILES = ['conf/initramfs.conf', 'init', 'scripts/functions'];

/**
 * Follows the member order of the first archive of a compressed region. `passed(limit)` is true once the
 * order is proven so far, the image is an initramfs-tools one, and a member at or after `limit` was seen.
 */
export class SortedOrderTracker {
  private last: string | null = null;
  private sorted = true;
  private marks = 0;

  /** `path` is the member's canonical path; `archive` its archive index within the region. */
  observe(path: string, archive: number): void {
    if (!this.sorted) return;
    // A second archive, a name the byte order of JS strings might not follow, a repeat or a step back:
    // the order proves nothing any more.
    if (archive !== 0 || !isAscii(path) || (this.last !== null && !(path > this.last))) {
      this.sorted = false;
      return;
    }
    this.last = path;
    if (INITRAMFS_TOOLS_FILES.includes(path)) this.marks += 1;
  }

  /** Whether the order so far still holds (false forever after the first member out of order). */
  get inOrder(): boolean {
    return this.sorted;
  }

  passed(limit: string): boolean {
    return this.sorted && this.marks === INITRAMFS_TOOLS_FILES.length && this.last !== null && this.last >= limit;
  }
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7e) return false;
  return true;
}

/**
 * Whether the bytes of `file` from `offset` to its end are exactly one zstd frame, found by hopping over
 * the block headers (a few hundred small reads, no decoding). Anything after the frame (another frame, a
 * gzip stream, padding) or a header that does not parse makes it false.
 */
export function isSingleZstdFrame(file: string, offset: number, size: number): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    const buf = Buffer.alloc(18);
    const read = (at: number, n: number): boolean => at + n <= size && readSync(fd, buf, 0, n, at) === n;
    if (!read(offset, 5) || buf.readUInt32LE(0) !== 0xfd2fb528) return false;
    const fhd = buf[4]!;
    if ((fhd & 0x08) !== 0) return false; // reserved bit
    const singleSegment = (fhd & 0x20) !== 0;
    const fcsFlag = fhd >> 6;
    const fcsSize = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
    const didSize = [0, 1, 2, 4][fhd & 0x03]!;
    let at = offset + 5 + (singleSegment ? 0 : 1) + didSize + fcsSize;
    for (;;) {
      if (!read(at, 3)) return false;
      const header = buf[0]! | (buf[1]! << 8) | (buf[2]! << 16);
      const last = (header & 1) !== 0;
      const type = (header >> 1) & 3;
      const blockSize = header >>> 3;
      if (type === 3) return false;
      at += 3 + (type === 1 ? 1 : blockSize);
      if (last) break;
      if (at > size) return false;
    }
    if ((fhd & 0x04) !== 0) at += 4; // content checksum
    return at === size;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
