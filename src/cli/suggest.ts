// "Did you mean": the known words closest to what was typed, by edit distance.

/** Damerau-Levenshtein distance (adjacent swaps count as one edit: "chekc" is one step from "check"). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidates nearest to `typed` (all ties), when near enough to be a slip: a third of the word, at
 * least one edit, or `typed` is a prefix of the candidate ("pre" → "preflight").
 */
export function nearest(typed: string, candidates: readonly string[], limit = 3): string[] {
  const t = typed.toLowerCase();
  const scored = candidates.map((c) => ({ c, d: c.toLowerCase().startsWith(t) && t.length >= 2 ? 0 : editDistance(t, c.toLowerCase()) }));
  const allowed = Math.max(1, Math.floor(t.length / 3));
  const close = scored.filter((s) => s.d <= allowed);
  if (close.length === 0) return [];
  const best = Math.min(...close.map((s) => s.d));
  return [...new Set(close.filter((s) => s.d === best).map((s) => s.c))].slice(0, limit);
}

/**
 * The candidates closest to `typed`, near or not, best first: for listing what exists when a name
 * matches nothing at all (a PCI address or a VM name the host does not have). `keysOf` gives the
 * spellings a candidate answers to ("101 (win10)" answers to 101 and win10).
 */
export function closest(typed: string, candidates: readonly string[], limit = 3, keysOf: (c: string) => string[] = (c) => [c]): string[] {
  const t = typed.toLowerCase();
  return [...new Set(candidates)]
    .map((c) => ({ c, d: Math.min(...keysOf(c).map((k) => editDistance(t, k.toLowerCase()))) }))
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, limit)
    .map((s) => s.c);
}
