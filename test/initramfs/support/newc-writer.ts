// Writes cpio newc/crc members byte by byte, for archives the cpio tool refuses to make: names with "./",
// "/" or ".." prefixes, data placed on the first of several hard links, deliberately broken headers.

export interface MemberSpec {
  name: string;
  mode: number;
  data?: Buffer | string;
  ino?: number;
  nlink?: number;
  devMajor?: number;
  devMinor?: number;
  /** 'crc' writes magic 070702 and the byte-sum checksum. */
  format?: 'newc' | 'crc';
  /** Overrides the computed checksum (to make a wrong one). */
  checksum?: number;
}

export const MODE_FILE = 0o100644;
export const MODE_DIR = 0o040755;
export const MODE_SYMLINK = 0o120777;

let nextIno = 1000;

function hex8(value: number): string {
  return value.toString(16).toUpperCase().padStart(8, '0');
}

function pad4(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}

/** One member, starting at a 4-byte-aligned offset (as every header must). */
export function newcMember(spec: MemberSpec): Buffer {
  const data = spec.data === undefined ? Buffer.alloc(0) : Buffer.from(spec.data);
  const name = Buffer.from(`${spec.name}\0`);
  let sum = 0;
  for (const byte of data) sum = (sum + byte) >>> 0;
  const crc = spec.format === 'crc';
  const fields = [
    spec.ino ?? nextIno++,
    spec.mode,
    0,
    0,
    spec.nlink ?? 1,
    0,
    data.length,
    spec.devMajor ?? 0,
    spec.devMinor ?? 0,
    0,
    0,
    name.length,
    crc ? (spec.checksum ?? sum) : 0,
  ];
  const header = Buffer.from((crc ? '070702' : '070701') + fields.map(hex8).join(''), 'latin1');
  const head = Buffer.concat([header, name]);
  return Buffer.concat([head, pad4(head.length), data, pad4(data.length)]);
}

export function newcTrailer(format: 'newc' | 'crc' = 'newc'): Buffer {
  return newcMember({ name: 'TRAILER!!!', mode: 0, ino: 0, nlink: 1, format });
}

export function newcArchive(members: MemberSpec[], format: 'newc' | 'crc' = 'newc'): Buffer {
  return Buffer.concat([...members.map((m) => newcMember({ format, ...m })), newcTrailer(format)]);
}

/** Header and name of a member whose `size` data bytes the caller streams after it (then padTo4After). */
export function newcHeader(spec: { name: string; mode: number; size: number; ino?: number }): Buffer {
  const name = Buffer.from(`${spec.name}\0`);
  const fields = [spec.ino ?? nextIno++, spec.mode, 0, 0, 1, 0, spec.size, 0, 0, 0, 0, name.length, 0];
  const head = Buffer.concat([Buffer.from('070701' + fields.map(hex8).join(''), 'latin1'), name]);
  return Buffer.concat([head, pad4(head.length)]);
}

/** Zero bytes that align the end of `size` data bytes to 4. */
export function padTo4After(size: number): Buffer {
  return pad4(size);
}
