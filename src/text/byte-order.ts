// The order strcmp(3) gives the UTF-8 bytes of two names, which is code point order.
//
// kmod reads modprobe.d and systemd reads modules-load.d file by file in strcmp order of their names
// ("Vfio.conf" before "amd.conf", "vfio-pci.conf" before "vfio_pci.conf"), so that is the order a
// collection must list them in to see what the tools see. For keys whose order only has to be stable
// (snapshot source ids) it is also the right one: String.prototype.localeCompare orders by the
// process's locale (one host's snapshot would list its sources differently under another LANG) and
// sets up ICU's collator on first use, 6-9 ms of every run that called it.

/**
 * Negative, zero or positive as `a` sorts before, with or after `b` in code point order. UTF-16 code
 * units already sort that way except a surrogate (part of a code point beyond U+FFFF) against
 * U+E000-U+FFFF: at the first differing unit those two ranges swap places.
 */
export function compareByteOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

function rank(unit: number): number {
  if (unit < 0xd800) return unit;
  // Surrogates after U+E000-U+FFFF: every code point they make is above U+FFFF.
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

/** The entries of `o` in a new object with its keys in byte order. */
export function sortedByKey<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => compareByteOrder(a, b)));
}
