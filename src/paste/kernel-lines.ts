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
const PAGE_BITS = 14;
const PAGE = 1 << PAGE_BITS;
const TEXT_PAGE = 1 << 20;

/** Whether a kernel line can tell anything beyond its place in the log. */
function telling(text: string): boolean {
  return DEVICE_OR_TABLE.test(text) || holdsAnchor(text) || PROBE_ANCHOR.test(text) || NOT_BLANKABLE.test(text);
}

/** A growing column of 32-bit integers, a page at a time. */
class Column {
  private readonly pages: Int32Array[] = [];

  get(i: number): number {
    return this.pages[i >> PAGE_BITS]![i & (PAGE - 1)]!;
  }

  set(i: number, v: number): void {
    const p = i >> PAGE_BITS;
    while (this.pages.length <= p) this.pages.push(new Int32Array(PAGE));
    this.pages[p]![i & (PAGE - 1)] = v;
  }
}

/** Where the trimmed part of a line's UTF-8 bytes starts (its length is the line's bytesOf). */
interface TextAt {
  page: Buffer;
  from: number;
}

/** The columns every line has, and the text of the lines kept whole. */
class LineTable {
  length = 0;
  readonly n = new Column();
  readonly fileOf = new Column();
  readonly hostOf = new Column();
  /** Bytes of the trimmed text. */
  readonly bytesOf = new Column();
  /** Index of the whole text, or -1; the boot flag is bit 0 of `flags`. */
  readonly wholeOf = new Column();
  readonly flags = new Column();
  readonly files: string[] = [];
  private readonly fileIds = new Map<string, number>();
  readonly hosts: (string | null)[] = [];
  private readonly hostIds = new Map<string | null, number>();
  // Whole texts: page, start, end, lead bytes before the trimmed part, the command.
  private readonly textPages: Buffer[] = [];
  private textUsed = TEXT_PAGE;
  private wholeCount = 0;
  private readonly wPage = new Column();
  private readonly wStart = new Column();
  private readonly wEnd = new Column();
  private readonly wLead = new Column();
  private readonly wCommand = new Column();
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
    const tBytes = Buffer.byteLength(t, 'utf8');
    this.n.set(i, l.n);
    this.fileOf.set(i, this.id(l.file, this.files, this.fileIds));
    this.hostOf.set(i, this.id(p.host, this.hosts, this.hostIds));
    this.flags.set(i, BOOT_START.test(p.message.trim()) ? 1 : 0);
    this.bytesOf.set(i, tBytes);
    this.wholeOf.set(i, telling(l.text) ? this.keepWhole(l.text, l.command) : -1);
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
    this.wPage.set(w, page);
    this.wStart.set(w, start);
    this.wEnd.set(w, this.textUsed);
    this.wLead.set(w, leadChars === 0 ? 0 : Buffer.byteLength(text.slice(0, leadChars), 'utf8'));
    this.wCommand.set(w, this.id(command, this.commands, this.commandIds));
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
      const w = t.wholeOf.get(i);
      if (w < 0) continue;
      yield { file: t.files[t.fileOf.get(i)]!, n: t.n.get(i), text: t.text(w), command: t.command(w) };
    }
  }

  lineNumber(i: number): number {
    return this.table.n.get(this.pos(i));
  }

  file(i: number): string {
    return this.table.files[this.table.fileOf.get(this.pos(i))]!;
  }

  host(i: number): string | null {
    return this.table.hosts[this.table.hostOf.get(this.pos(i))]!;
  }

  startsBoot(i: number): boolean {
    return (this.table.flags.get(this.pos(i)) & 1) === 1;
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
   * kept whole is as many blanks as it had bytes.
   */
  *logBlocks(): Generator<Buffer> {
    const t = this.table;
    let buf = Buffer.allocUnsafe(BLOCK_BYTES);
    let at = 0;
    for (let k = 0; k < this.length; k++) {
      const i = this.pos(k);
      const w = t.wholeOf.get(i);
      const whole = w >= 0 ? t.trimmedAt(w) : null;
      const bytes = typeof whole === 'string' ? Buffer.byteLength(whole, 'utf8') : t.bytesOf.get(i);
      if (at + bytes + 1 > buf.length) {
        if (at > 0) yield buf.subarray(0, at);
        buf = Buffer.allocUnsafe(Math.max(BLOCK_BYTES, bytes + 1));
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
