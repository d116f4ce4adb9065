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

const anchorCache = new WeakMap<readonly CatalogueEntry[], RegExp>();

function anyAnchor(entries: readonly CatalogueEntry[]): RegExp {
  let re = anchorCache.get(entries);
  if (!re) {
    const words = [...new Set(entries.flatMap((e) => e.anchors))].map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    re = new RegExp(words.join('|'), 'i');
    anchorCache.set(entries, re);
  }
  return re;
}

/** The first entry (in catalogue order) whose pattern matches, with where the match lies. */
export function findEntry(message: string, entries: readonly CatalogueEntry[] = builtinCatalogue()): { entry: CatalogueEntry; index: number; end: number } | null {
  if (!anyAnchor(entries).test(message)) return null;
  const lower = message.toLowerCase();
  for (const entry of entries) {
    if (!entry.anchors.some((a) => lower.includes(a))) continue;
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

/** The errno a message carries, by its text ("Permission denied") or its number ("error -13", "= -12"). */
export function errnoIn(message: string): string | null {
  const lower = message.toLowerCase();
  for (const [text, name] of ERRNO_TEXTS) if (lower.includes(text)) return name;
  const m = ERRNO_NUMBER.exec(message);
  if (m) return ERRNO[Number(m[1])]?.[0] ?? null;
  return null;
}
