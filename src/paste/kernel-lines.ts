// The kernel-log lines of a paste, held compactly. A pasted log can have millions of lines and most say
// nothing a diagnosis reads: only a line that holds a PCI address, an ACPI table listing or an anchor of
// the log-event table (src/log/anchors.ts) is kept whole, its text as UTF-8 in pages of bytes outside the
// JavaScript heap (no object per line for the collector to carry). Of every other line only what the later
// steps need is kept, in columns of numbers: where it is (file, line), its host name and whether it starts a
// boot (for the captures), and its length in bytes, so the log scanner (src/log/relevant.ts) still sees
// every line, as blanks of the same length, and counts lines and bytes as it did. Columns and text grow a
// page at a time: nothing is copied as they grow, and a capture is a list of positions, not a copy.
import { holdsAnchor } from '../log/anchors.js';
import { parsePrefix } from '../log/prefix.js';
import type { KernelInputLine } from './facts.js';

const BOOT_START = /^Linux version \d/;
// What the readers of kernel lines (derive.ts) look at besides anchors.
const DEVICE_OR_TABLE = /[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]|ACPI: [A-Z0-9]{4} 0x/;
const PROBE_ANCHOR = /probe (?:of|with driver) .*failed with error -22/;
// Characters a blank stand-in would not keep as they are (a re-joined wrapped message may hold a newline).
const NOT_BLANKABLE = /[\0\n\r]/;
// A lone surrogate would not come back the same from UTF-8: such a text is kept as a string.
const SURROGATE = /[\ud800-\udfff]/;

const BLOCK_BYTES = 256 * 1024;
// Blocks of logBlocks in use at once: one read, one the stream holds ahead, one being filled, one spare.
const BLOCK_RING = 4;
const PAGE_BITS = 14;
const TEXT_PAGE = 1 << 20;

/** Whether a kernel line can tell anything beyond its place in the log. */
function telling(text: string): boolean {
  return DEVICE_OR_TABLE.test(text) || holdsAnchor(text) || PROBE_ANCHOR.test(text) || NOT_BLANKABLE.test(text);
}

/** A growing column of 32-bit integers, a page of 2^pageBits at a time. */
class Column {
  private readonly pages: Int32Array[] = [];
  private readonly mask: number;

  constructor(private readonly pageBits = PAGE_BITS) {
    this.mask = (1 << pageBits) - 1;
  }

  get(i: number): number {
    return this.pages[i >> this.pageBits]![i & this.mask]!;
  }

  set(i: number, v: number): void {
    const p = i >> this.pageBits;
    while (this.pages.length <= p) this.pages.push(new Int32Array(1 << this.pageBits));
    this.pages[p]![i & this.mask] = v;
  }
}

/** A growing column of lengths in 16 bits; the rare length of 65,535 or more is kept aside. */
class Lengths {
  private readonly pages: Uint16Array[] = [];
  private readonly long = new Map<number, number>();

  get(i: number): number {
    const v = this.pages[i >> PAGE_BITS]![i & ((1 << PAGE_BITS) - 1)]!;
    return v === 0xffff ? this.long.get(i)! : v;
  }

  set(i: number, v: number): void {
    const p = i >> PAGE_BITS;
    while (this.pages.length <= p) this.pages.push(new Uint16Array(1 << PAGE_BITS));
    if (v >= 0xffff) this.long.set(i, v);
    this.pages[p]![i & ((1 << PAGE_BITS) - 1)] = Math.min(v, 0xffff);
  }
}

/**
 * A value per position, set in increasing positions, held as runs of equal values: the file, the host
 * name and the command are the same for long stretches of a log (a chunk, a file), so a log of one host
 * costs a few numbers instead of one a line.
 */
class Runs {
  private readonly starts = new Column(10);
  private readonly values = new Column(10);
  private count = 0;
  // The run last looked up: lookups mostly go forward through the lines.
  private hint = 0;

  push(i: number, v: number): void {
    if (this.count > 0 && this.values.get(this.count - 1) === v) return;
    this.starts.set(this.count, i);
    this.values.set(this.count, v);
    this.count++;
  }

  get(i: number): number {
    let r = this.hint;
    if (!(this.starts.get(r) <= i && (r + 1 === this.count || this.starts.get(r + 1) > i))) {
      let lo = 0;
      let hi = this.count - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (this.starts.get(mid) <= i) lo = mid;
        else hi = mid - 1;
      }
      r = this.hint = lo;
    }
    return this.values.get(r);
  }
}

function bitCount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * A bit per position, set in increasing positions, with the count of set bits before each word: a line's
 * rank among the lines whose bit is set (its index among the texts kept whole) without a number a line.
 */
class RankedBits {
  private readonly bits = new Column();
  private readonly before = new Column();
  private words = 0;
  private total = 0;

  push(i: number, on: boolean): void {
    const w = i >>> 5;
    for (; this.words <= w; this.words++) {
      this.bits.set(this.words, 0);
      this.before.set(this.words, this.total);
    }
    if (on) {
      this.bits.set(w, this.bits.get(w) | (1 << (i & 31)));
      this.total++;
    }
  }

  has(i: number): boolean {
    return (this.bits.get(i >>> 5) & (1 << (i & 31))) !== 0;
  }

  /** How many set bits come before position i; -1 when the bit of i is not set. */
  rank(i: number): number {
    const w = i >>> 5;
    const word = this.bits.get(w);
    const b = i & 31;
    if ((word & (1 << b)) === 0) return -1;
    return this.before.get(w) + (b === 0 ? 0 : bitCount(word & (0xffffffff >>> (32 - b))));
  }
}

/** Where the trimmed part of a line's UTF-8 bytes starts (its length is the line's bytesOf). */
interface TextAt {
  page: Buffer;
  from: number;
}

/**
 * The columns every line has, and the text of the lines kept whole. Every column costs little per line
 * (on a 50 MB paste of 372,000 kernel lines, 24 bytes a line were 9 MB at the peak): line numbers as runs
 * of consecutive numbers, file and host as runs, the boot flag and "kept whole" as bits, the length in 16 bits.
 */
class LineTable {
  length = 0;
  /** The line number minus the position: constant along a run of consecutive lines. */
  private readonly nOffset = new Runs();
  readonly fileOf = new Runs();
  readonly hostOf = new Runs();
  /** Bytes of the trimmed text. */
  readonly bytesOf = new Lengths();
  /** Which lines are kept whole; a line's rank among them is the index of its text. */
  private readonly whole = new RankedBits();
  private readonly boot = new RankedBits();
  readonly files: string[] = [];
  private readonly fileIds = new Map<string, number>();
  readonly hosts: (string | null)[] = [];
  private readonly hostIds = new Map<string | null, number>();
  // Whole texts: page, start, end, lead bytes before the trimmed part, the command.
  private readonly textPages: Buffer[] = [];
  private textUsed = TEXT_PAGE;
  private wholeCount = 0;
  private readonly wPage = new Runs();
  private readonly wStart = new Column();
  private readonly wEnd = new Column();
  private readonly wLead = new Runs();
  private readonly wCommand = new Runs();
  private readonly commands: (string | null | undefined)[] = [];
  private readonly commandIds = new Map<string | null | undefined, number>();
  private readonly odd = new Map<number, string>();

  private id<K>(key: K, list: K[], ids: Map<K, number>): number {
    let v = ids.get(key);
    if (v === undefined) {
      v = list.length;
      list.push(key);
      ids.set(key, v);
    }
    return v;
  }

  push(l: KernelInputLine): void {
    const i = this.length++;
    const t = l.text.trim();
    const p = parsePrefix(t);
    this.nOffset.push(i, l.n - i);
    this.fileOf.push(i, this.id(l.file, this.files, this.fileIds));
    this.hostOf.push(i, this.id(p.host, this.hosts, this.hostIds));
    this.boot.push(i, BOOT_START.test(p.message.trim()));
    this.bytesOf.set(i, Buffer.byteLength(t, 'utf8'));
    const keep = telling(l.text);
    this.whole.push(i, keep);
    if (keep) this.keepWhole(l.text, l.command);
  }

  n(i: number): number {
    return this.nOffset.get(i) + i;
  }

  startsBoot(i: number): boolean {
    return this.boot.has(i);
  }

  /** Index of the line's whole text, or -1. */
  wholeOf(i: number): number {
    return this.whole.rank(i);
  }

  private keepWhole(text: string, command: string | null | undefined): number {
    const w = this.wholeCount++;
    const bytes = Buffer.byteLength(text, 'utf8');
    if (this.textUsed + bytes > TEXT_PAGE || this.textPages.length === 0) {
      this.textPages.push(Buffer.allocUnsafe(Math.max(TEXT_PAGE, bytes)));
      this.textUsed = 0;
    }
    const page = this.textPages.length - 1;
    const start = this.textUsed;
    this.textUsed += this.textPages[page]!.write(text, start, 'utf8');
    const leadChars = text.length - text.trimStart().length;
    this.wPage.push(w, page);
    this.wStart.set(w, start);
    this.wEnd.set(w, this.textUsed);
    this.wLead.push(w, leadChars === 0 ? 0 : Buffer.byteLength(text.slice(0, leadChars), 'utf8'));
    this.wCommand.push(w, this.id(command, this.commands, this.commandIds));
    if (SURROGATE.test(text)) this.odd.set(w, text);
    return w;
  }

  text(w: number): string {
    return this.odd.get(w) ?? this.textPages[this.wPage.get(w)]!.toString('utf8', this.wStart.get(w), this.wEnd.get(w));
  }

  command(w: number): string | null | undefined {
    return this.commands[this.wCommand.get(w)];
  }

  /** The bytes of the trimmed text, or the trimmed text itself when it is kept as a string. */
  trimmedAt(w: number): TextAt | string {
    const odd = this.odd.get(w);
    if (odd !== undefined) return odd.trim();
    return { page: this.textPages[this.wPage.get(w)]!, from: this.wStart.get(w) + this.wLead.get(w) };
  }
}

export class KernelLines {
  private readonly table: LineTable;
  /** Positions in the table, for a part of the lines (a capture); null: all of them, as pushed. */
  private readonly at: Int32Array | null;
  private readonly fileList: string[] | null;

  constructor(table?: LineTable, at?: Int32Array) {
    this.table = table ?? new LineTable();
    this.at = at ?? null;
    if (this.at) {
      const seen = new Set<number>();
      const files: string[] = [];
      for (const i of this.at) {
        const f = this.table.fileOf.get(i);
        if (!seen.has(f)) {
          seen.add(f);
          files.push(this.table.files[f]!);
        }
      }
      this.fileList = files;
    } else this.fileList = null;
  }

  /** Lines held (kept whole or not). */
  get length(): number {
    return this.at ? this.at.length : this.table.length;
  }

  private pos(i: number): number {
    return this.at ? this.at[i]! : i;
  }

  push(l: KernelInputLine): void {
    if (this.at) throw new Error('a part of the kernel lines takes no more lines');
    this.table.push(l);
  }

  /** The lines kept whole, in order: every line a reader of kernel lines could draw a fact from. */
  *kept(): Generator<KernelInputLine> {
    const t = this.table;
    for (let k = 0; k < this.length; k++) {
      const i = this.pos(k);
      const w = t.wholeOf(i);
      if (w < 0) continue;
      yield { file: t.files[t.fileOf.get(i)]!, n: t.n(i), text: t.text(w), command: t.command(w) };
    }
  }

  lineNumber(i: number): number {
    return this.table.n(this.pos(i));
  }

  file(i: number): string {
    return this.table.files[this.table.fileOf.get(this.pos(i))]!;
  }

  host(i: number): string | null {
    return this.table.hosts[this.table.hostOf.get(this.pos(i))]!;
  }

  startsBoot(i: number): boolean {
    return this.table.startsBoot(this.pos(i));
  }

  /** The files the lines come from, in the order they first appear. */
  fileNames(): string[] {
    return [...(this.fileList ?? this.table.files)];
  }

  /** The lines at these positions, in this order (a capture), sharing this store's memory. */
  select(indices: Int32Array): KernelLines {
    const at = new Int32Array(indices.length);
    for (let k = 0; k < indices.length; k++) at[k] = this.pos(indices[k]!);
    return new KernelLines(this.table, at);
  }

  /**
   * The lines as the bytes of one log (each trimmed, ended by a newline), a block at a time; a line not
   * kept whole is as many blanks as it had bytes. A block's memory is used again BLOCK_RING blocks later:
   * the reader must be done with a block by then (the scanner copies each one before it asks for the next).
   * A new buffer for every block left tens of megabytes of them to the collector on a long log.
   */
  *logBlocks(): Generator<Buffer> {
    const t = this.table;
    const ring: Buffer[] = [];
    let r = 0;
    const next = (bytes: number): Buffer => {
      // A line longer than a block gets a buffer of its own.
      if (bytes > BLOCK_BYTES) return Buffer.allocUnsafe(bytes);
      const k = r++ % BLOCK_RING;
      return (ring[k] ??= Buffer.allocUnsafe(BLOCK_BYTES));
    };
    let buf = next(BLOCK_BYTES);
    let at = 0;
    for (let k = 0; k < this.length; k++) {
      const i = this.pos(k);
      const w = t.wholeOf(i);
      const whole = w >= 0 ? t.trimmedAt(w) : null;
      const bytes = typeof whole === 'string' ? Buffer.byteLength(whole, 'utf8') : t.bytesOf.get(i);
      if (at + bytes + 1 > buf.length) {
        if (at > 0) yield buf.subarray(0, at);
        buf = next(bytes + 1);
        at = 0;
      }
      if (typeof whole === 'string') at += buf.write(whole, at, 'utf8');
      else if (whole) at += whole.page.copy(buf, at, whole.from, whole.from + bytes);
      else {
        buf.fill(0x20, at, at + bytes);
        at += bytes;
      }
      buf[at++] = 0x0a;
    }
    if (at > 0) yield buf.subarray(0, at);
  }
}
