// PCI function addresses as the logs print them ("0000:01:00.0", "01:00.0", "[0x04:0x00.0]"), and the
// one form vfio-doctor uses: lower-case "dddd:bb:dd.f", or "bb:dd.f" when the segment is not known.

const FULL = /^(?:(?:0x)?([0-9a-fA-F]{1,4}):)?(?:0x)?([0-9a-fA-F]{1,2}):(?:0x)?([0-9a-fA-F]{1,2})\.(?:0x)?([0-7])$/;

export function pciAddress(bus: string | number, dev: string | number, fn: string | number, segment?: string | number | null): string {
  const b = hexPart(bus, 2);
  const d = hexPart(dev, 2);
  const f = typeof fn === 'number' ? String(fn) : String(parseInt(fn, 16));
  const short = `${b}:${d}.${f}`;
  return segment === undefined || segment === null ? short : `${hexPart(segment, 4)}:${short}`;
}

function hexPart(v: string | number, width: number): string {
  const n = typeof v === 'number' ? v : parseInt(v.replace(/^0x/i, ''), 16);
  return n.toString(16).padStart(width, '0');
}

/** Normalises any printed form; null when it is not a PCI function address. */
export function normalizeAddress(text: string): string | null {
  const m = FULL.exec(text.trim().replace(/^\[+|\]+$/g, ''));
  if (!m) return null;
  return pciAddress(m[2] as string, m[3] as string, m[4] as string, m[1] ?? null);
}

export function hasSegment(address: string): boolean {
  return /^[0-9a-f]{4}:/.test(address);
}

/** The bus:device.function part, for matching a segment-less address against full ones. */
export function shortAddress(address: string): string {
  return hasSegment(address) ? address.slice(5) : address;
}

/** Same function, treating a missing segment as unknown (so "01:00.0" matches "0000:01:00.0"). */
export function sameFunction(a: string, b: string): boolean {
  if (hasSegment(a) && hasSegment(b)) return a === b;
  return shortAddress(a) === shortAddress(b);
}
