// Fitting text output to the terminal. Renderers say where a line's continuation should hang and
// which spans must never be split (a command the user copies); fitText() then breaks each line at
// spaces only, so a PCI address, a path or a log token is never cut, and a word longer than the room
// left stays whole on a line of its own. Width counts what the terminal shows: colour marks take no
// column, an East Asian wide character takes two, an unprintable one the length of its \uXXXX spelling.
//
// The marks are private-use characters, like style.ts's colour marks, and fitText() removes them: a
// renderer's output must pass through fitText() before it is printed.

import { hasUnprintable } from '../text/unprintable.js';
import { STYLE_CLOSE, STYLE_OPEN } from './style.js';

/** Continuation lines of this line start at the column where this mark stands. */
export const HANG = '\ue002';
const KEEP_OPEN = '\ue003';
const KEEP_CLOSE = '\ue004';

/** A span fitText() never breaks: it moves whole to the next line, or overflows a line of its own. */
export function unbroken(s: string): string {
  return `${KEEP_OPEN}${s}${KEEP_CLOSE}`;
}

/** The width when nothing says otherwise, and the narrowest one honoured (below it, wrapping only hurts). */
export const DEFAULT_WIDTH = 80;
export const MIN_WIDTH = 40;

/** COLUMNS when set (as ls, man and git honour it), else the terminal's width, else 80 (a pipe or a file). */
export function outputWidth(isTty: boolean, columns: number | undefined, env: Record<string, string | undefined>): number {
  const fromEnv = env['COLUMNS'];
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv.trim()) && Number(fromEnv) > 0) return Math.max(MIN_WIDTH, Number(fromEnv));
  if (isTty && columns !== undefined && columns > 0) return Math.max(MIN_WIDTH, columns);
  return DEFAULT_WIDTH;
}

const STYLE_MARK = new RegExp(`${STYLE_OPEN}\\d+${STYLE_CLOSE}`, 'gu');
const LAYOUT_MARK = new RegExp(`[${HANG}${KEEP_OPEN}${KEEP_CLOSE}]`, 'gu');

// East Asian Wide and Fullwidth blocks and the emoji planes (the ranges terminals draw two cells wide).
const WIDE: readonly [number, number][] = [
  [0x1100, 0x115f], [0x231a, 0x231b], [0x2329, 0x232a], [0x23e9, 0x23ec], [0x23f0, 0x23f0], [0x23f3, 0x23f3],
  [0x25fd, 0x25fe], [0x2614, 0x2615], [0x2648, 0x2653], [0x267f, 0x267f], [0x2693, 0x2693], [0x26a1, 0x26a1],
  [0x26aa, 0x26ab], [0x26bd, 0x26be], [0x26c4, 0x26c5], [0x26ce, 0x26ce], [0x26d4, 0x26d4], [0x26ea, 0x26ea],
  [0x26f2, 0x26f3], [0x26f5, 0x26f5], [0x26fa, 0x26fa], [0x26fd, 0x26fd], [0x2705, 0x2705], [0x270a, 0x270b],
  [0x2728, 0x2728], [0x274c, 0x274c], [0x274e, 0x274e], [0x2753, 0x2755], [0x2757, 0x2757], [0x2795, 0x2797],
  [0x27b0, 0x27b0], [0x27bf, 0x27bf], [0x2b1b, 0x2b1c], [0x2b50, 0x2b50], [0x2b55, 0x2b55], [0x2e80, 0x303e],
  [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf], [0xa960, 0xa97f], [0xac00, 0xd7a3],
  [0xf900, 0xfaff], [0xfe10, 0xfe19], [0xfe30, 0xfe6f], [0xff00, 0xff60], [0xffe0, 0xffe6], [0x1f004, 0x1f004],
  [0x1f0cf, 0x1f0cf], [0x1f18e, 0x1f18e], [0x1f191, 0x1f19a], [0x1f200, 0x1f251], [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff], [0x1f7e0, 0x1f7eb], [0x1f90c, 0x1f9ff], [0x1fa70, 0x1faff], [0x20000, 0x3fffd],
];

function isWide(cp: number): boolean {
  if (cp < 0x1100) return false;
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = WIDE[mid]!;
    if (cp < a) hi = mid - 1;
    else if (cp > b) lo = mid + 1;
    else return true;
  }
  return false;
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u200b-\u200d\ufe00-\ufe0f]$/u;

/** Columns one character takes on the terminal, after terminal-safe.ts has done its escaping. */
function charWidth(c: string): number {
  // Printable ASCII, nearly all of any report, takes one column: no pattern needs to look at it.
  const code = c.charCodeAt(0);
  if (c.length === 1 && code >= 0x20 && code < 0x7f) return 1;
  if (hasUnprintable(c)) return c === '\t' ? 1 : 6;
  if (ZERO_WIDTH.test(c)) return 0;
  return isWide(c.codePointAt(0)!) ? 2 : 1;
}

/** Columns a piece of output takes on the terminal: colour and layout marks excluded. */
export function visibleWidth(s: string): number {
  let w = 0;
  for (const c of s.replace(STYLE_MARK, '').replace(LAYOUT_MARK, '')) w += charWidth(c);
  return w;
}

/** A word or a run of spaces, with the colour marks it carries. */
interface Piece {
  text: string;
  width: number;
  space: boolean;
  /** Colour codes open after this piece (so a broken line can close them and the next reopen them). */
  openAfter: number[];
}

const CLOSES: Record<number, readonly number[]> = { 22: [1, 2], 39: [31, 32, 33, 36] };

// Pieces are sliced out of the line, not built a character at a time: "+=" per character makes a
// string node per character, which a report of megabytes (a log with thousands of findings) pays for in
// hundreds of megabytes of garbage.
function pieces(line: string): { pieces: Piece[]; hangAt: number | null } {
  const out: Piece[] = [];
  let open: number[] = [];
  let cur = '';
  // line[runStart, i) belongs to the current piece and is not in `cur` yet.
  let runStart = 0;
  let curWidth = 0;
  let curSpace: boolean | null = null;
  let kept = false;
  let col = 0;
  let hangAt: number | null = null;
  const take = (to: number) => {
    if (to > runStart) cur += line.slice(runStart, to);
    runStart = to;
  };
  const flush = () => {
    if (cur !== '') out.push({ text: cur, width: curWidth, space: curSpace === true, openAfter: [...open] });
    cur = '';
    curWidth = 0;
    curSpace = null;
  };
  let i = 0;
  while (i < line.length) {
    // One code point (a lone surrogate counts as one, as spreading the string does).
    const unit = line.charCodeAt(i);
    const size = unit >= 0xd800 && unit <= 0xdbff && i + 1 < line.length && (line.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
    const c = size === 1 ? line[i]! : line.slice(i, i + 2);
    if (c === STYLE_OPEN) {
      const end = line.indexOf(STYLE_CLOSE, i);
      const code = Number(line.slice(i + 1, end));
      if (end < 0 || !Number.isInteger(code)) {
        take(i);
        runStart = i + 1;
        i += 1;
        continue;
      }
      // The mark joins the current piece whole; it takes no column.
      open = CLOSES[code] ? open.filter((o) => !CLOSES[code]!.includes(o)) : [...open, code];
      i = end + 1;
      continue;
    }
    if (c === HANG || c === KEEP_OPEN || c === KEEP_CLOSE) {
      if (c === HANG) {
        if (hangAt === null) hangAt = col;
      } else kept = c === KEEP_OPEN;
      take(i);
      runStart = i + 1;
      i += 1;
      continue;
    }
    const space = c === ' ' && !kept;
    if (curSpace !== null && curSpace !== space) {
      take(i);
      flush();
    }
    curSpace = space;
    const w = charWidth(c);
    curWidth += w;
    col += w;
    i += size;
  }
  take(line.length);
  flush();
  return { pieces: out, hangAt };
}

const mark = (code: number) => `${STYLE_OPEN}${code}${STYLE_CLOSE}`;

function closeAll(open: readonly number[]): string {
  const codes = new Set<number>();
  for (const o of open) codes.add(o === 1 || o === 2 ? 22 : 39);
  return [...codes].map(mark).join('');
}

/** One line broken at spaces into lines of at most `width` columns (an unbreakable token may exceed it). */
export function fitLine(line: string, width: number): string[] {
  if (!line.includes(HANG) && !line.includes(KEEP_OPEN) && visibleWidth(line) <= width) return [line.replace(LAYOUT_MARK, '')];
  const { pieces: ps, hangAt } = pieces(line);
  const lead = ps[0]?.space ? ps[0].width : 0;
  // A hang so deep that little room is left would make a narrow column: hang two in from the indent then.
  const hang = hangAt !== null && hangAt <= width - Math.floor(width / 2) ? hangAt : Math.min(lead + 2, Math.floor(width / 2));
  const lines: string[] = [];
  let text = '';
  let col = 0;
  let onlyIndent = true;
  let open: number[] = [];
  let pendingSpace: Piece | null = null;
  for (const p of ps) {
    if (p.space) {
      if (onlyIndent && text === '' && lines.length === 0) {
        text = p.text;
        col = p.width;
      } else pendingSpace = p;
      open = p.openAfter;
      continue;
    }
    const gap = pendingSpace?.width ?? 0;
    if (!onlyIndent && col + gap + p.width > width) {
      lines.push(text + closeAll(open));
      text = ' '.repeat(hang) + open.map(mark).join('') + p.text;
      col = hang + p.width;
    } else {
      text += (pendingSpace?.text ?? '') + p.text;
      col += gap + p.width;
    }
    pendingSpace = null;
    onlyIndent = false;
    open = p.openAfter;
  }
  if (pendingSpace) text += pendingSpace.text;
  lines.push(text);
  return lines;
}

/** Every line of `text` fitted to `width` columns, and the layout marks removed. */
export function fitText(text: string, width: number): string {
  return text
    .split('\n')
    .flatMap((l) => fitLine(l, width))
    .join('\n');
}

/**
 * fitText's output in pieces of about `chunkChars` characters, for printing: a report of megabytes is
 * then never held twice (as rendered and as fitted) at once. The pieces joined are fitText's output.
 * The pieces are small so that the fitted lines waiting in one die young: with pieces of a million
 * characters they outlived the young generation, and printing a 5 MB report (a 300 MB kernel log's
 * findings) grew the old one by 60 MB (peak RSS 208 MB instead of 153 MB).
 */
export function* fitTextChunks(text: string, width: number, chunkChars = 1 << 16): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  let first = true;
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    for (const fitted of fitLine(nl < 0 ? text.slice(start) : text.slice(start, nl), width)) {
      if (!first) parts.push('\n');
      first = false;
      parts.push(fitted);
      size += fitted.length + 1;
    }
    if (size >= chunkChars) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
    if (nl < 0) break;
    start = nl + 1;
  }
  if (parts.length > 0) yield parts.join('');
}
