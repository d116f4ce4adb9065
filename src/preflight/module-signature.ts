// Whether a module file carries an appended signature. The kernel's module signing puts a fixed marker
// at the very end of the file; under Secure Boot with lockdown a module without it is refused.

import fs from 'node:fs';
import zlib from 'node:zlib';

const MARKER = Buffer.from('~Module signature appended~\n', 'latin1');

/** true / false for plain and gzip modules; null when the compression would need an external tool. */
export function moduleSigned(localPath: string): boolean | null {
  if (/\.ko\.(xz|zst)$/.test(localPath)) return null;
  try {
    if (localPath.endsWith('.gz')) {
      const data = zlib.gunzipSync(fs.readFileSync(localPath));
      return data.subarray(data.length - MARKER.length).equals(MARKER);
    }
    // Only the tail matters: read the last bytes rather than a module of several megabytes.
    const fd = fs.openSync(localPath, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size < MARKER.length) return false;
      const tail = Buffer.alloc(MARKER.length);
      fs.readSync(fd, tail, 0, MARKER.length, size - MARKER.length);
      return tail.equals(MARKER);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
}
