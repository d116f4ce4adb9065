// Incremental reader for the cpio formats the kernel unpacks: "newc" (magic 070701) and "crc" (070702).
// A header is the 6-byte magic and 13 fields of 8 ASCII hex digits (110 bytes), then the NUL-terminated
// name, padded so the data starts on a 4-byte boundary, then the data, padded the same way. A member named
// TRAILER!!! closes an archive; zero bytes may separate archives. Bytes arrive in chunks of any size
// (file reads, decompressor output), so the reader is a state machine and never needs the whole stream.

export type CpioFormat = 'newc' | 'crc';

export interface CpioMember {
  /** The name bytes as stored (up to the first NUL), decoded as UTF-8. */
  name: string;
  format: CpioFormat;
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  size: number;
  devMajor: number;
  devMinor: number;
  rdevMajor: number;
  rdevMinor: number;
  checksum: number;
  linkTarget?: string;
  /** Stream offset of the member's header. */
  offset: number;
  /** Which archive of this stream the member is in, counting from 0. Hard links never span archives. */
  archive: number;
}

export interface CpioVisitor {
  archiveStart?(archive: number, offset: number): void;
  archiveEnd?(archive: number, offset: number): void;
  /** Returning true for a regular file with data asks for its bytes through data() and then memberEnd(). */
  member(member: CpioMember): boolean | void;
  data?(member: CpioMember, chunk: Buffer): void;
  memberEnd?(member: CpioMember): void;
}

/** A format violation; `offset` is a stream offset, the message already says where in the caller's terms. */
export class CpioFormatError extends Error {
  constructor(
    readonly kind: 'corrupt' | 'truncated',
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;

const HEADER_SIZE = 110;
const TRAILER_NAME = 'TRAILER!!!';
// Generous bounds that no real archive reaches; they keep a corrupt size field from making us buffer gigabytes.
const MAX_NAME_SIZE = 64 * 1024;
const MAX_LINK_TARGET = 4096;

const FIELD_NAMES = [
  'c_ino',
  'c_mode',
  'c_uid',
  'c_gid',
  'c_nlink',
  'c_mtime',
  'c_filesize',
  'c_devmajor',
  'c_devminor',
  'c_rdevmajor',
  'c_rdevminor',
  'c_namesize',
  'c_check',
] as const;

const enum State {
  /** Before the first archive or after a trailer: zero padding, then a header or the end of the input. */
  Between,
  Header,
  Name,
  NamePad,
  Data,
  DataPad,
}

export interface CpioStreamOptions {
  /**
   * In the uncompressed head of an image, anything that is neither zero padding nor a header at a 4-byte
   * boundary is where compressed data begins: write() then stops and returns its offset. Inside
   * decompressed data the same bytes are an error, as they are for the kernel.
   */
  stopAtForeignData: boolean;
  /** Stream offset of the first byte written; alignment is computed on stream offsets, as the kernel does. */
  startOffset?: number;
  /** Turns a stream offset into the words an error message should use ("offset 123 of ..."). */
  describeOffset: (offset: number) => string;
}

function padTo4(offset: number): number {
  return (4 - (offset % 4)) % 4;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

export class CpioStreamParser {
  private readonly visitor: CpioVisitor;
  private readonly options: CpioStreamOptions;
  private pos: number;
  private state: State = State.Between;
  private stopped = false;

  private readonly headerBuf = Buffer.alloc(HEADER_SIZE);
  private headerOffset = 0;
  private collected = 0;
  private nameBuf: Buffer = Buffer.alloc(0);
  private fields: number[] = [];
  private format: CpioFormat = 'newc';
  private remaining = 0;

  private archive = -1;
  private openArchive = false;
  private archiveStartOffset = 0;
  private current: CpioMember | null = null;
  private currentIsTrailer = false;
  private deliver = false;
  private linkBuf: Buffer | null = null;
  private sum = 0;

  constructor(visitor: CpioVisitor, options: CpioStreamOptions) {
    this.visitor = visitor;
    this.options = options;
    this.pos = options.startOffset ?? 0;
  }

  /** Archives started so far. */
  get archives(): number {
    return this.archive + 1;
  }

  /**
   * Consumes a chunk. Returns -1 while the data is cpio; with stopAtForeignData, returns the stream offset
   * of the first foreign byte, after which the parser takes no more input.
   */
  write(chunk: Buffer): number {
    if (this.stopped) throw new Error('CpioStreamParser: write after foreign data');
    const base = this.pos;
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case State.Between: {
          while (i < n && chunk[i] === 0) i++;
          if (i === n) break;
          const at = base + i;
          if (chunk[i] === 0x30 && at % 4 === 0) {
            this.beginHeader(at);
            break;
          }
          if (this.options.stopAtForeignData) {
            this.pos = at;
            this.stopped = true;
            return at;
          }
          const byte = `0x${chunk[i]!.toString(16).padStart(2, '0')}`;
          throw new CpioFormatError(
            'corrupt',
            at,
            this.archive < 0
              ? `no cpio archive: byte ${byte} at ${this.options.describeOffset(at)} does not start a cpio header ` +
                  '(an old-style initrd filesystem image instead of an initramfs?)'
              : `unexpected byte ${byte} at ${this.options.describeOffset(at)} ` +
                  'where a cpio header or zero padding should follow the previous archive',
          );
        }
        case State.Header: {
          const take = Math.min(HEADER_SIZE - this.collected, n - i);
          if (this.collected === 0 && take === HEADER_SIZE) {
            i += take;
            this.headerDone(chunk.subarray(i - HEADER_SIZE, i));
          } else {
            chunk.copy(this.headerBuf, this.collected, i, i + take);
            this.collected += take;
            i += take;
            if (this.collected === HEADER_SIZE) this.headerDone(this.headerBuf);
          }
          break;
        }
        case State.Name: {
          const take = Math.min(this.remaining, n - i);
          chunk.copy(this.nameBuf, this.nameBuf.length - this.remaining, i, i + take);
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) this.nameDone();
          break;
        }
        case State.NamePad: {
          const take = Math.min(this.remaining, n - i);
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) this.startData(base + i);
          break;
        }
        case State.Data: {
          const take = Math.min(this.remaining, n - i);
          const piece = chunk.subarray(i, i + take);
          if (this.format === 'crc') {
            let s = this.sum;
            for (let k = 0; k < piece.length; k++) s += piece[k]!;
            this.sum = s >>> 0;
          }
          if (this.linkBuf) piece.copy(this.linkBuf, this.linkBuf.length - this.remaining);
          else if (this.deliver) this.visitor.data?.(this.current!, piece);
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) this.dataDone(base + i);
          break;
        }
        case State.DataPad: {
          const take = Math.min(this.remaining, n - i);
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) this.memberDone(base + i);
          break;
        }
      }
    }
    this.pos = base + n;
    return -1;
  }

  /** Declares the end of input; throws if it cut an archive short. */
  end(): void {
    if (this.stopped || this.state === State.Between) return;
    const where = this.options.describeOffset(this.pos);
    if (this.state === State.Header && this.collected === 0) {
      throw new CpioFormatError(
        'truncated',
        this.pos,
        `the cpio archive that starts at ${this.options.describeOffset(this.archiveStartOffset)} ends at ${where} without its TRAILER!!! record`,
      );
    }
    if (this.current === null) {
      throw new CpioFormatError(
        'truncated',
        this.pos,
        `the data ends at ${where}, inside the cpio header or member name that starts at ${this.options.describeOffset(this.headerOffset)}`,
      );
    }
    const member = this.current;
    const detail =
      this.state === State.Data ? `, after ${member.size - this.remaining} of its ${member.size} data bytes` : '';
    throw new CpioFormatError(
      'truncated',
      this.pos,
      `the data ends at ${where}, inside the member "${member.name}" (header at ${this.options.describeOffset(member.offset)})${detail}`,
    );
  }

  private beginHeader(at: number): void {
    this.state = State.Header;
    this.headerOffset = at;
    this.collected = 0;
    this.current = null;
  }

  private headerDone(header: Buffer): void {
    const at = this.headerOffset;
    const magic = header.toString('latin1', 0, 6);
    if (magic === '070701') this.format = 'newc';
    else if (magic === '070702') this.format = 'crc';
    else {
      const shown = JSON.stringify(header.toString('latin1', 0, 6));
      const why =
        magic === '070707'
          ? 'old portable (odc) cpio format, which the kernel does not unpack: archives must be made with cpio -H newc'
          : 'not a cpio newc/crc header (magic 070701 or 070702)';
      throw new CpioFormatError('corrupt', at, `bad cpio magic ${shown} at ${this.options.describeOffset(at)}: ${why}`);
    }
    const fields: number[] = [];
    for (let f = 0; f < FIELD_NAMES.length; f++) {
      let value = 0;
      const start = 6 + f * 8;
      for (let k = start; k < start + 8; k++) {
        const digit = hexValue(header[k]!);
        if (digit < 0) {
          const raw = JSON.stringify(header.toString('latin1', start, start + 8));
          throw new CpioFormatError(
            'corrupt',
            at,
            `corrupt cpio header at ${this.options.describeOffset(at)}: field ${FIELD_NAMES[f]} is ${raw}, not 8 hex digits`,
          );
        }
        value = value * 16 + digit;
      }
      fields.push(value);
    }
    const nameSize = fields[11]!;
    if (nameSize === 0 || nameSize > MAX_NAME_SIZE) {
      throw new CpioFormatError(
        'corrupt',
        at,
        `corrupt cpio header at ${this.options.describeOffset(at)}: name size ${nameSize} is out of range`,
      );
    }
    if (this.archive < 0 || !this.openArchive) {
      this.archive += 1;
      this.openArchive = true;
      this.archiveStartOffset = at;
      this.visitor.archiveStart?.(this.archive, at);
    }
    this.fields = fields;
    this.nameBuf = Buffer.alloc(nameSize);
    this.remaining = nameSize;
    this.state = State.Name;
  }

  private nameDone(): void {
    const at = this.headerOffset;
    const nameBuf = this.nameBuf;
    if (nameBuf[nameBuf.length - 1] !== 0) {
      throw new CpioFormatError(
        'corrupt',
        at,
        `corrupt cpio member at ${this.options.describeOffset(at)}: the name is not NUL-terminated within its ${nameBuf.length} bytes`,
      );
    }
    const nul = nameBuf.indexOf(0);
    const f = this.fields;
    this.current = {
      name: nameBuf.toString('utf8', 0, nul),
      format: this.format,
      ino: f[0]!,
      mode: f[1]!,
      uid: f[2]!,
      gid: f[3]!,
      nlink: f[4]!,
      mtime: f[5]!,
      size: f[6]!,
      devMajor: f[7]!,
      devMinor: f[8]!,
      rdevMajor: f[9]!,
      rdevMinor: f[10]!,
      checksum: f[12]!,
      offset: at,
      archive: this.archive,
    };
    this.currentIsTrailer = this.current.name === TRAILER_NAME;
    const afterName = at + HEADER_SIZE + nameBuf.length;
    this.remaining = padTo4(afterName);
    this.state = State.NamePad;
    if (this.remaining === 0) this.startData(afterName);
  }

  private startData(at: number): void {
    const member = this.current!;
    this.deliver = false;
    this.linkBuf = null;
    this.sum = 0;
    if (!this.currentIsTrailer) {
      if ((member.mode & S_IFMT) === S_IFLNK) {
        if (member.size > MAX_LINK_TARGET) {
          throw new CpioFormatError(
            'corrupt',
            member.offset,
            `corrupt cpio member "${member.name}" at ${this.options.describeOffset(member.offset)}: symlink target of ${member.size} bytes`,
          );
        }
        this.linkBuf = Buffer.alloc(member.size);
      } else {
        const wanted = this.visitor.member(member) === true;
        this.deliver = wanted && (member.mode & S_IFMT) === S_IFREG;
      }
    }
    this.remaining = member.size;
    this.state = State.Data;
    if (this.remaining === 0) this.dataDone(at);
  }

  private dataDone(at: number): void {
    const member = this.current!;
    // Like the kernel, only regular files are checked: cpio writes a zero checksum for symlink targets.
    const checked = member.format === 'crc' && !this.currentIsTrailer && (member.mode & S_IFMT) === S_IFREG;
    if (checked && this.sum !== member.checksum) {
      throw new CpioFormatError(
        'corrupt',
        member.offset,
        `checksum mismatch in cpio (crc format) member "${member.name}" at ${this.options.describeOffset(member.offset)}: ` +
          `header says ${member.checksum.toString(16).padStart(8, '0')}, data sums to ${this.sum.toString(16).padStart(8, '0')}`,
      );
    }
    if (this.linkBuf) {
      member.linkTarget = this.linkBuf.toString('utf8');
      this.linkBuf = null;
      this.visitor.member(member);
    } else if (this.deliver) {
      this.visitor.memberEnd?.(member);
    }
    this.remaining = padTo4(at);
    this.state = State.DataPad;
    if (this.remaining === 0) this.memberDone(at);
  }

  private memberDone(at: number): void {
    if (this.currentIsTrailer) {
      this.openArchive = false;
      this.visitor.archiveEnd?.(this.archive, at);
      this.current = null;
      this.state = State.Between;
      return;
    }
    this.beginHeader(at);
  }
}
