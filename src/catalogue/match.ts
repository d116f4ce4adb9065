// Finds catalogue messages in lines of text: one message per line, or one message soft-wrapped by a
// terminal or a forum over two or three lines. A join is accepted only when the match spans the place
// where the lines were joined, so two separate messages are never glued into one.
import { ERRNO } from '../log/tables/errno.js';
import { builtinCatalogue } from './builtin.js';
import { continuationText, deviceIn, normaliseLine } from './normalise.js';
import type { CatalogueEntry, ErrnoVariant } from './types.js';

export interface CatalogueHit {
  entry: CatalogueEntry;
  /** The normalised message (the joined text, for a wrapped one). */
  message: string;
  device: string | null;
  /** The errno the message carries (ENOENT, EACCES ...), when it carries one. */
  errno: string | null;
  /** The entry's reading of that errno, when it has one. */
  variant: ErrnoVariant | null;
  /** Input lines the message occupies (1, or more when it was re-joined). */
  span: number;
  /** The lines as given (prefixes kept), re-joined the way the message was. */
  raw: string;
}

export interface PlacedHit extends CatalogueHit {
  /** Index of the first line of the message in the lines scanned. */
  at: number;
}

// Per entry list, built once: the any-anchor test (case-insensitive, on the line as given) and an index
// from anchor to the entries that carry it, so a message meets only the entries whose anchors it holds
// (instead of every entry testing every one of its anchors against it).
interface EntryIndex {
  any: RegExp;
  /** Every anchor, longest first, as one alternation over the lower-cased message. */
  find: RegExp;
  /**
   * For each anchor, the entries (by position) carrying it or an anchor that is a prefix of it: at a
   * position where several anchors start, the alternation finds only the longest.
   */
  entriesAt: Map<string, readonly number[]>;
  /** Scratch marks, one per entry: the pass that last took it as a candidate. */
  seen: Uint32Array;
  pass: number;
}

const indexCache = new WeakMap<readonly CatalogueEntry[], EntryIndex>();

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function entryIndex(entries: readonly CatalogueEntry[]): EntryIndex {
  let idx = indexCache.get(entries);
  if (!idx) {
    const carrying = new Map<string, number[]>();
    entries.forEach((e, i) => {
      for (const a of e.anchors) {
        const list = carrying.get(a);
        if (!list) carrying.set(a, [i]);
        else if (list[list.length - 1] !== i) list.push(i);
      }
    });
    const words = [...carrying.keys()];
    const byLength = [...words].sort((a, b) => b.length - a.length);
    // Each anchor's own entries and those of every anchor it begins with: its prefixes looked up, not
    // every entry asked about every anchor (that cost ~6 ms of each run, in code still interpreted).
    const entriesAt = new Map<string, readonly number[]>();
    for (const w of words) {
      const found = new Set<number>();
      for (let len = 0; len <= w.length; len++) {
        const list = carrying.get(w.slice(0, len));
        if (list) for (const i of list) found.add(i);
      }
      entriesAt.set(w, [...found].sort((a, b) => a - b));
    }
    idx = {
      any: new RegExp(words.map(escapeRe).join('|'), 'i'),
      find: new RegExp(byLength.map(escapeRe).join('|'), 'g'),
      entriesAt,
      seen: new Uint32Array(entries.length),
      pass: 0,
    };
    indexCache.set(entries, idx);
  }
  return idx;
}

function anyAnchor(entries: readonly CatalogueEntry[]): RegExp {
  return entryIndex(entries).any;
}

/**
 * The entries (positions, in catalogue order) one of whose anchors `lower` contains: every position
 * where an anchor starts is visited, and there the longest anchor stands for the shorter ones it begins
 * with.
 */
function candidates(idx: EntryIndex, lower: string): number[] {
  const out: number[] = [];
  const re = idx.find;
  if (++idx.pass === 0xffffffff) {
    idx.seen.fill(0);
    idx.pass = 1;
  }
  const pass = idx.pass;
  re.lastIndex = 0;
  for (let m = re.exec(lower); m !== null; m = re.exec(lower)) {
    for (const i of idx.entriesAt.get(m[0]) as readonly number[]) {
      if (idx.seen[i] !== pass) {
        idx.seen[i] = pass;
        out.push(i);
      }
    }
    re.lastIndex = m.index + 1;
  }
  return out.length > 1 ? out.sort((a, b) => a - b) : out;
}

/** The first entry (in catalogue order) whose pattern matches, with where the match lies. */
export function findEntry(message: string, entries: readonly CatalogueEntry[] = builtinCatalogue()): { entry: CatalogueEntry; index: number; end: number } | null {
  const idx = entryIndex(entries);
  if (!idx.any.test(message)) return null;
  for (const i of candidates(idx, message.toLowerCase())) {
    const entry = entries[i] as CatalogueEntry;
    for (const re of entry.patterns) {
      const m = re.exec(message);
      if (m) return { entry, index: m.index, end: m.index + m[0].length };
    }
  }
  return null;
}

/** A whole message (one line, already free of line breaks) as a hit, or null. */
export function matchMessage(raw: string, entries: readonly CatalogueEntry[] = builtinCatalogue()): CatalogueHit | null {
  // Normalising only cuts text off the ends of a line, except for escape sequences and JSON records:
  // a line without any anchor holds no message, and most kernel-log lines are turned away here.
  if (!anyAnchor(entries).test(raw) && !raw.includes('\x1b') && !raw.includes('{')) return null;
  const n = normaliseLine(raw);
  if (n.empty) return null;
  const found = findEntry(n.message, entries);
  return found ? hit(found.entry, n.message, n.device, 1, raw) : null;
}

const MAX_JOIN = 3;

/** Every catalogue message in a run of lines, re-joining wrapped ones. */
export function scanLines(lines: readonly string[], entries: readonly CatalogueEntry[] = builtinCatalogue()): PlacedHit[] {
  const out: PlacedHit[] = [];
  let i = 0;
  while (i < lines.length) {
    const h = matchAt(lines, i, entries);
    if (h) {
      out.push({ ...h, at: i });
      i += h.span;
    } else i++;
  }
  return out;
}

/**
 * The message starting at line `at`: alone, or joined with the continuation lines that follow it. A
 * join wins when its match spans the joint, or when the continuation is more of the same message.
 */
export function matchAt(lines: readonly string[], at: number, entries: readonly CatalogueEntry[] = builtinCatalogue()): CatalogueHit | null {
  const first = normaliseLine(lines[at]!);
  if (first.empty) return null;
  const alone = findEntry(first.message, entries);
  let joined = first.message;
  let raw = continuationText(lines[at]!);
  for (let k = 1; k < MAX_JOIN && at + k < lines.length; k++) {
    const next = normaliseLine(lines[at + k]!);
    // A line with a prefix of its own starts a new message.
    if (next.empty || next.headed) break;
    // The same line again is a repeat (a retry, a restart loop), never the rest of this one.
    if (next.message === normaliseLine(lines[at + k - 1]!).message) break;
    const tail = continuationText(lines[at + k]!);
    const boundary = joined.length;
    // A line ending in a colon announces its reason: whatever the next line is, it belongs to it.
    const announces = /:\s*$/.test(joined);
    // A forum wraps at a space and the space is lost; a terminal cuts inside a word.
    for (const sep of [' ', '']) {
      const text = joined + sep + tail;
      const f = findEntry(text, entries);
      if (!f) continue;
      const spans = f.index < boundary && f.end > boundary;
      const more = !spans && alone !== null && f.entry === alone.entry && findEntry(next.message, entries)?.entry === f.entry;
      if (spans || more || announces) return hit(f.entry, text, first.device ?? deviceIn(text), k + 1, raw + sep + tail);
    }
    joined = `${joined} ${tail}`;
    raw = `${raw} ${tail}`;
  }
  return alone ? hit(alone.entry, first.message, first.device, 1, continuationText(lines[at]!)) : null;
}

function hit(entry: CatalogueEntry, message: string, device: string | null, span: number, raw: string): CatalogueHit {
  const errno = errnoIn(message);
  const variant = errno && entry.errno ? (entry.errno[errno] ?? null) : null;
  return { entry, message, device, errno, variant, span, raw };
}

// strerror texts, longest first ("No such device or address" before "No such device"), plus the words
// kmod prints for an errno of its own.
const ERRNO_TEXTS = (
  [
  ...Object.values(ERRNO).map(([name, text]): [string, string] => [text.toLowerCase(), name]),
  ['invalid module format', 'ENOEXEC'],
  ['unknown symbol in module', 'ENOENT'],
  ['not permitted', 'EPERM'],
  ] as [string, string][]
).sort((a, b) => b[0].length - a[0].length);

const ERRNO_NUMBER = /(?:\berr(?:or|no)?\s*[:=]?\s*|=\s*|\bret(?:urned)?\s*[:=]?\s*)\(?-(\d{1,3})\b/i;

// The texts as one alternation, longest first, and for each text the first entry of ERRNO_TEXTS that it
// or a text it begins with stands for: one pass over a message finds what testing every text in turn
// would, the first text of the list that the message holds.
const ERRNO_FIND = new RegExp(
  [...new Set(ERRNO_TEXTS.map(([text]) => text))]
    .sort((a, b) => b.length - a.length)
    .map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|'),
  'g',
);
const ERRNO_RANK = new Map<string, number>();
for (const [text] of ERRNO_TEXTS) {
  if (ERRNO_RANK.has(text)) continue;
  const rank = ERRNO_TEXTS.findIndex(([t]) => text.startsWith(t));
  ERRNO_RANK.set(text, rank);
}

/** The errno a message carries, by its text ("Permission denied") or its number ("error -13", "= -12"). */
export function errnoIn(message: string): string | null {
  const lower = message.toLowerCase();
  let best = -1;
  ERRNO_FIND.lastIndex = 0;
  for (let m = ERRNO_FIND.exec(lower); m !== null; m = ERRNO_FIND.exec(lower)) {
    const rank = ERRNO_RANK.get(m[0]) as number;
    if (best < 0 || rank < best) best = rank;
    ERRNO_FIND.lastIndex = m.index + 1;
  }
  if (best >= 0) return (ERRNO_TEXTS[best] as [string, string])[1];
  const m = ERRNO_NUMBER.exec(message);
  if (m) return ERRNO[Number(m[1])]?.[0] ?? null;
  return null;
}
