// Multi-literal search over raw bytes (Wu–Manber with a hashed bigram shift table).
//
// Why not one big regex over the text: with ~70 alternatives V8's regex engine can no longer skip ahead
// and falls to about 150–250 MB/s. Here the scanner looks at two bytes, and unless they can end the first
// `m` bytes of some anchor it jumps up to m-1 bytes. The shift table is indexed by the two bytes as one
// little-endian 16-bit load (a DataView read: the hot loop ran 1.51 G instructions over 100 MB with two
// byte loads and a hash, 1.13 G with it, callgrind); the table is 64 KiB, but text touches only the rows
// of printable bytes, ~12 KiB. The block is cut into four line-aligned parts scanned in one interleaved
// loop: each step is a dependent load chain, and four independent chains keep the CPU busy while one
// waits.

import type { Anchor } from './anchors.js';

const HASH_BITS = 14;
const HASH_MASK = (1 << HASH_BITS) - 1;
/** The shift table is indexed by the two bytes themselves (a | b << 8): one 16-bit load in the hot loop. */
const BIGRAMS = 1 << 16;
/** Blocks shorter than this are scanned as one stream: splitting costs more than it saves. */
const SPLIT_MIN = 32 * 1024;

function bigram(a: number, b: number): number {
  return a | (b << 8);
}

// Second filter on the last three bytes of a window: most zero-shift positions in ordinary text end in a
// common bigram ("en", "te", "in") and fail here without a call into verify().
function hash3(a: number, b: number, c: number): number {
  return ((a << 10) ^ (b << 5) ^ c) & HASH_MASK;
}

export class AnchorScanner {
  /** Length of the shortest anchor: the window every anchor is found by. */
  readonly m: number;
  private readonly shift: Uint8Array;
  private readonly tri: Uint8Array;
  private readonly buckets: (Int32Array | null)[];
  private readonly bytes: Uint8Array[];
  // Per-call state of the interleaved scan, kept in fields so the hot loop can live in its own function.
  private readonly bounds = new Int32Array(5);
  private readonly pos = new Int32Array(4);
  private readonly outs: number[][] = [[], [], [], []];

  constructor(readonly anchors: readonly Anchor[]) {
    if (anchors.length === 0) throw new Error('AnchorScanner needs at least one anchor');
    this.bytes = anchors.map((a) => Buffer.from(a.text, 'latin1'));
    const m = Math.min(...this.bytes.map((b) => b.length));
    if (m < 2) throw new Error('anchors must be at least 2 bytes long');
    this.m = m;
    this.shift = new Uint8Array(BIGRAMS).fill(m - 1);
    this.tri = new Uint8Array(1 << HASH_BITS);
    const lists = new Map<number, number[]>();
    this.bytes.forEach((k, idx) => {
      for (let j = 1; j < m; j++) {
        const h = bigram(k[j - 1] as number, k[j] as number);
        const s = m - 1 - j;
        if (s < (this.shift[h] as number)) this.shift[h] = s;
        if (s === 0) {
          this.tri[m >= 3 ? hash3(k[m - 3] as number, k[m - 2] as number, k[m - 1] as number) : 0] = 1;
          const l = lists.get(h) ?? [];
          l.push(idx);
          lists.set(h, l);
        }
      }
    });
    this.buckets = new Array<Int32Array | null>(BIGRAMS).fill(null);
    for (const [h, l] of lists) this.buckets[h] = Int32Array.from(l);
    this.warmUp();
  }

  // Gives the hot loop's code after the loop type feedback before real data arrives: V8 compiles the loop
  // while it runs (on-stack replacement), and code after it that has never run would throw that
  // compiled loop away at its end, block after block. A few calls on eight short lines are enough and
  // cost well under a millisecond. Warming the other paths on larger synthetic blocks, as was done
  // before, cost about 35 ms of CPU on every run and saved no measurable time even on a 300 MB log.
  private warmUp(): void {
    const lines: string[] = [];
    for (let i = 0; i < 4; i++) {
      const a = this.anchors[i % this.anchors.length] as Anchor;
      lines.push(`[${i}.000000] some ordinary text without anything\n`, `[${i}.5] prefix ${a.text} suffix\n`);
    }
    const small = Buffer.from(lines.join(''), 'latin1');
    const b = this.bounds;
    for (let k = 0; k <= 4; k++) b[k] = lineCut(small, Math.floor((small.length * k) / 4), small.length);
    b[0] = 0;
    // Several times: V8 allocates the feedback that the compiler relies on only after a few calls.
    const outs = this.outs;
    for (let k = 0; k < 20; k++) {
      this.runStreams(small, 4096);
      for (const o of outs) o.length = 0;
    }
  }

  /**
   * Finds the lines of buf[start, end) (whole lines) that hold an anchor within their first `maxLineBytes`
   * bytes. Appends, in line order, the pair (line start offset, index of the first anchor found) to `out`.
   */
  findLines(buf: Buffer, start: number, end: number, maxLineBytes: number, out: number[]): void {
    if (end - start < SPLIT_MIN || this.m < 3) {
      this.scanStream(buf, start, end, maxLineBytes, out);
      return;
    }
    const b = this.bounds;
    b[0] = start;
    b[1] = lineCut(buf, start + ((end - start) >> 2), end);
    b[2] = lineCut(buf, Math.max(b[1] as number, start + ((end - start) >> 1)), end);
    b[3] = lineCut(buf, Math.max(b[2] as number, start + (((end - start) >> 2) * 3)), end);
    b[4] = end;
    const outs = this.outs;
    for (let k = 0; k < 4; k++) (outs[k] as number[]).length = 0;
    this.runStreams(buf, maxLineBytes);
    for (let k = 0; k < 4; k++) {
      const o = outs[k] as number[];
      this.finish(buf, this.pos[k] as number, b[k] as number, b[k + 1] as number, maxLineBytes, o);
      for (let i = 0; i < o.length; i++) out.push(o[i] as number);
    }
  }

  // Runs the four streams until one reaches its end: the hot loop stops at every window that passed both
  // filters, and the hits are checked here, outside it.
  private runStreams(buf: Buffer, max: number): void {
    const b = this.bounds;
    const p = this.pos;
    const m = this.m;
    for (let k = 0; k < 4; k++) p[k] = (b[k] as number) + m - 1;
    const u8 = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
    for (;;) {
      const flags = this.interleave(u8, dv);
      if (flags === 0) return;
      for (let k = 0; k < 4; k++) {
        if ((flags & (1 << k)) !== 0) p[k] = this.verify(buf, p[k] as number, b[k] as number, b[k + 1] as number, max, this.outs[k] as number[]);
      }
    }
  }

  // The hot loop, with no calls in it: each step of each stream either skips or, where the window may end
  // an anchor, stops the loop for runStreams to check it. Returns the streams stopped that way (bit k:
  // stream k), or 0 when a stream reached its end. Why no calls: TurboFan compiled the loop with the
  // checking code inlined four times (~150-200 ms of compiler time, measured under load), and the scan
  // ran unoptimized meanwhile; this version compiles in a fraction of that.
  private interleave(u8: Uint8Array, dv: DataView): number {
    const sh = this.shift;
    const tri = this.tri;
    const bd = this.bounds;
    const p = this.pos;
    const q1 = bd[1] as number;
    const q2 = bd[2] as number;
    const q3 = bd[3] as number;
    const end = bd[4] as number;
    let a = p[0] as number;
    let c = p[1] as number;
    let d = p[2] as number;
    let e = p[3] as number;
    let flags = 0;
    while (a < q1 && c < q2 && d < q3 && e < end) {
      const x = sh[dv.getUint16(a - 1, true)] as number;
      const y = sh[dv.getUint16(c - 1, true)] as number;
      const z = sh[dv.getUint16(d - 1, true)] as number;
      const w = sh[dv.getUint16(e - 1, true)] as number;
      if (x !== 0) a += x;
      else if (tri[hash3(u8[a - 2] as number, u8[a - 1] as number, u8[a] as number)] === 0) a++;
      else flags |= 1;
      if (y !== 0) c += y;
      else if (tri[hash3(u8[c - 2] as number, u8[c - 1] as number, u8[c] as number)] === 0) c++;
      else flags |= 2;
      if (z !== 0) d += z;
      else if (tri[hash3(u8[d - 2] as number, u8[d - 1] as number, u8[d] as number)] === 0) d++;
      else flags |= 4;
      if (w !== 0) e += w;
      else if (tri[hash3(u8[e - 2] as number, u8[e - 1] as number, u8[e] as number)] === 0) e++;
      else flags |= 8;
      if (flags !== 0) break;
    }
    p[0] = a;
    p[1] = c;
    p[2] = d;
    p[3] = e;
    return flags;
  }

  /**
   * Calls `hit(anchorIndex, offset)` for every anchor occurrence in buf[start, end), in order, until it
   * returns true. Returns whether it did.
   */
  someHit(buf: Uint8Array, start: number, end: number, hit: (anchor: number, offset: number) => boolean): boolean {
    const m = this.m;
    const sh = this.shift;
    let i = start + m - 1;
    while (i < end) {
      const h = bigram(buf[i - 1] as number, buf[i] as number);
      const s = sh[h] as number;
      if (s !== 0) {
        i += s;
        continue;
      }
      const list = this.buckets[h];
      if (list) {
        for (let q = 0; q < list.length; q++) {
          const idx = list[q] as number;
          const at = i - m + 1;
          if (this.matchesAt(buf, at, start, end, idx) && hit(idx, at)) return true;
        }
      }
      i++;
    }
    return false;
  }

  private scanStream(buf: Buffer, start: number, end: number, max: number, out: number[]): void {
    this.finish(buf, start + this.m - 1, start, end, max, out);
  }

  private finish(buf: Buffer, from: number, start: number, end: number, max: number, out: number[]): void {
    const sh = this.shift;
    const tri = this.tri;
    const u8 = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
    const three = this.m >= 3;
    let i = from;
    while (i < end) {
      const s = sh[bigram(u8[i - 1] as number, u8[i] as number)] as number;
      if (s !== 0) i += s;
      else if (three && tri[hash3(u8[i - 2] as number, u8[i - 1] as number, u8[i] as number)] === 0) i++;
      else i = this.verify(buf, i, start, end, max, out);
    }
  }

  // Called where the window may end an anchor's first m bytes. Returns where that stream goes on: the
  // next position, or, on a hit, the first window of the next line (one hit per line is enough).
  private verify(buf: Buffer, i: number, start: number, end: number, max: number, out: number[]): number {
    const list = this.buckets[bigram(buf[i - 1] as number, buf[i] as number)];
    if (!list) return i + 1;
    for (let q = 0; q < list.length; q++) {
      const idx = list[q] as number;
      const at = i - this.m + 1;
      if (!this.matchesAt(buf, at, start, end, idx)) continue;
      const nl = buf.lastIndexOf(10, at);
      const lineStart = nl >= start ? nl + 1 : start;
      let lineEnd = buf.indexOf(10, at);
      if (lineEnd < 0 || lineEnd >= end) lineEnd = end;
      // An anchor past the cut is invisible: the kept head of this line had none (hits come in order).
      if (at + (this.bytes[idx] as Uint8Array).length - lineStart <= max) out.push(lineStart, idx);
      return lineEnd + this.m;
    }
    return i + 1;
  }

  private matchesAt(buf: Uint8Array, at: number, start: number, end: number, idx: number): boolean {
    const k = this.bytes[idx] as Uint8Array;
    const n = k.length;
    if (at < start || at + n > end) return false;
    for (let z = 0; z < n; z++) if (buf[at + z] !== k[z]) return false;
    return true;
  }
}

// The first line start at or after `from` (or `end`): stream boundaries must fall between lines.
function lineCut(buf: Buffer, from: number, end: number): number {
  if (from >= end) return end;
  const nl = buf.indexOf(10, from);
  return nl < 0 || nl >= end ? end : nl + 1;
}
