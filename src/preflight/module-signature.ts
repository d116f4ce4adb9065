// Whether a module file carries an appended signature. The kernel's module signing puts a fixed marker
// at the very end of the file; under Secure Boot with lockdown a module without it is refused.

import fs from 'node:fs';
import zlib from 'node:zlib';
import type { HostFs } from '../collect/host-fs.js';

const MARKER = Buffer.from('~Module signature appended~\n', 'latin1');

const MAX_GZ_MODULE = 256 << 20;

/** true / false for plain and gzip modules; null when the compression would need an external tool. */
export function moduleSigned(localPath: string): boolean | null {
  if (/\.ko\.(xz|zst)$/.test(localPath)) return null;
  let fd: number;
  try {
    fd = fs.openSync(localPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return null;
  }
  return signedFd(fd, localPath.endsWith('.gz'));
}

/** The same for a module path on the inspected host, read through HostFs (inside --root, files only). */
export function moduleSignedAt(hfs: HostFs, hostPath: string): boolean | null {
  if (/\.ko\.(xz|zst)$/.test(hostPath)) return null;
  const opened = hfs.openFile(hostPath);
  return opened.ok ? signedFd(opened.value, hostPath.endsWith('.gz')) : null;
}

/** Reads the marker from an open module (closing it); null when it cannot be told. */
function signedFd(fd: number, gz: boolean): boolean | null {
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return null;
    if (gz) {
      const compressed = Buffer.alloc(Math.min(st.size, MAX_GZ_MODULE));
      const n = fs.readSync(fd, compressed, 0, compressed.length, 0);
      const data = zlib.gunzipSync(compressed.subarray(0, n), { maxOutputLength: MAX_GZ_MODULE });
      return data.subarray(data.length - MARKER.length).equals(MARKER);
    }
    // Only the tail matters: read the last bytes rather than a module of several megabytes.
    const size = st.size;
    if (size < MARKER.length) return false;
    const tail = Buffer.alloc(MARKER.length);
    fs.readSync(fd, tail, 0, MARKER.length, size - MARKER.length);
    return tail.equals(MARKER);
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}
