// Kernel releases and BIOS versions are compared piecewise: runs of digits as numbers, the rest as
// text, so 6.8.12-10-pve is newer than 6.8.12-4-pve and BIOS 2.10 newer than 2.9. Vendors' BIOS
// strings ("F.42", "U30 v2.72") compare sensibly as long as one vendor's strings are compared.

function pieces(s: string): (number | string)[] {
  return s.match(/\d+|[^\d]+/g)?.map((p) => (/^\d/.test(p) ? Number(p) : p)) ?? [];
}

/** Negative when a is older than b, positive when newer, 0 when equal. */
export function compareVersions(a: string, b: string): number {
  const pa = pieces(a);
  const pb = pieces(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    // A number where the other has text: "6.8.12" + "-4" against "6.8.12" + "rc1" is a release vs a suffix; numbers sort first.
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}
