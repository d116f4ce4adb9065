// PCI addresses in every spelling vfio-doctor reads, and the one form it writes: lower-case
// "dddd:bb:dd.f" for a function, "dddd:bb:dd" for a slot (Proxmox passes whole slots), and the same
// without "dddd:" when the source did not say the segment (Intel fault lines, lspci without -D).
//
// Spellings read:
//   0000:0b:00.0  0b:00.0  0B:00.0       sysfs, lspci, dmesg device prefixes, --device
//   [0x04:0x00.0]  0x0000:0x04:0x00.0    kernel log fields (DMAR faults, AMD-Vi events)
//   0b:00  0000:0b:00                    a slot: Proxmox hostpciN / PCI mapping paths
//   pci_0000_0b_00_0                     libvirt node device names
//   domain='0x0000' bus='0x0b' slot='0x00' function='0x0'   libvirt <address>, hex or decimal

export interface PciAddress {
  /** null when the spelling carried no segment. */
  segment: number | null;
  bus: number;
  device: number;
  /** null for a slot (every function of bus:device). */
  fn: number | null;
}

export interface ParseOptions {
  /** Accept "0b:00" / "0000:0b:00" (a slot, no function). */
  slot?: boolean;
  /** Segment to assume when the spelling has none; leave unset to keep it unknown. */
  segment?: number;
}

// Segments are 16 bits, except the domains Intel VMD creates from 0x10000 on.
const SEGMENT = '(?:0x)?([0-9a-fA-F]{1,8})';
const BYTE = '(?:0x)?([0-9a-fA-F]{1,2})';
const PRINTED = new RegExp(`^(?:${SEGMENT}:)?${BYTE}:${BYTE}(?:\\.(?:0x)?([0-7]))?$`);
const NODEDEV = /^pci_([0-9a-fA-F]{4})_([0-9a-fA-F]{2})_([0-9a-fA-F]{2})_([0-7])$/;

const MAX = { segment: 0xffffffff, bus: 0xff, device: 0x1f, fn: 7 } as const;

function valid(a: PciAddress): PciAddress | null {
  if (a.segment !== null && (a.segment < 0 || a.segment > MAX.segment)) return null;
  if (a.bus < 0 || a.bus > MAX.bus || a.device < 0 || a.device > MAX.device) return null;
  if (a.fn !== null && (a.fn < 0 || a.fn > MAX.fn)) return null;
  return a;
}

/** Any printed spelling above, surrounding brackets and blanks allowed; null when it is none of them. */
export function parsePciAddress(text: string, opts: ParseOptions = {}): PciAddress | null {
  const t = text.trim().replace(/^\[+|\]+$/g, '');
  const node = NODEDEV.exec(t);
  if (node) return valid({ segment: parseInt(node[1]!, 16), bus: parseInt(node[2]!, 16), device: parseInt(node[3]!, 16), fn: Number(node[4]) });
  const m = PRINTED.exec(t);
  if (!m) return null;
  if (m[4] === undefined && !opts.slot) return null;
  const segment = m[1] !== undefined ? parseInt(m[1], 16) : (opts.segment ?? null);
  return valid({ segment, bus: parseInt(m[2]!, 16), device: parseInt(m[3]!, 16), fn: m[4] === undefined ? null : Number(m[4]) });
}

/**
 * libvirt <address type='pci'> attribute values. libvirt reads each as hex with 0x and decimal without;
 * a missing domain or function is 0. null when bus or slot is missing or a value is not a number.
 */
export function pciAddressFromAttributes(attrs: { domain?: string | null; bus?: string | null; slot?: string | null; function?: string | null }): PciAddress | null {
  const num = (v: string | null | undefined, dflt: number | null): number | null => {
    if (v === undefined || v === null) return dflt;
    const s = v.trim();
    if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s.slice(2), 16);
    return /^\d+$/.test(s) ? parseInt(s, 10) : null;
  };
  const [segment, bus, device, fn] = [num(attrs.domain, 0), num(attrs.bus, null), num(attrs.slot, null), num(attrs.function, 0)];
  if (segment === null || bus === null || device === null || fn === null) return null;
  return valid({ segment, bus, device, fn });
}

/** From numbers or hex digit strings ("0x04", "4", "04"), as a log line's fields give them. */
export function pciAddressFromParts(bus: string | number, device: string | number, fn: string | number, segment?: string | number | null): PciAddress | null {
  const n = (v: string | number) => (typeof v === 'number' ? v : /^(?:0x)?[0-9a-f]+$/i.test(v) ? parseInt(v.replace(/^0x/i, ''), 16) : NaN);
  const a = { segment: segment === undefined || segment === null ? null : n(segment), bus: n(bus), device: n(device), fn: n(fn) };
  return [a.bus, a.device, a.fn].some(Number.isNaN) || (a.segment !== null && Number.isNaN(a.segment)) ? null : valid(a);
}

const hex = (v: number, width: number) => v.toString(16).padStart(width, '0');

/** "0000:0b:00.0", "0b:00.0" (no segment), "0000:0b:00" (slot). */
export function formatPciAddress(a: PciAddress): string {
  const busDev = `${hex(a.bus, 2)}:${hex(a.device, 2)}`;
  const head = a.segment === null ? busDev : `${hex(a.segment, 4)}:${busDev}`;
  return a.fn === null ? head : `${head}.${a.fn}`;
}

/** libvirt's node device name, "pci_0000_0b_00_0"; the segment is taken as 0 when unknown. */
export function nodedevName(a: PciAddress): string {
  return `pci_${hex(a.segment ?? 0, 4)}_${hex(a.bus, 2)}_${hex(a.device, 2)}_${a.fn ?? 0}`;
}

/** parse then format: the canonical string, or null. */
export function normalisePciAddress(text: string, opts: ParseOptions = {}): string | null {
  const a = parsePciAddress(text, opts);
  return a ? formatPciAddress(a) : null;
}

/** A full function address ("0000:0b:00.0"), segment 0 when unsaid: what --device and pasted listings mean. */
export function fullFunctionAddress(text: string): string | null {
  return normalisePciAddress(text, { segment: 0 });
}

/** Exactly the canonical full function form, as sysfs names devices ("0000:0b:00.0"). */
export function isFullFunctionAddress(text: string): boolean {
  return /^[0-9a-f]{4,8}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/.test(text);
}

// The questions below take canonical strings, the form snapshots and findings hold.

export function hasSegment(address: string): boolean {
  return /^[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}/.test(address);
}

/** A slot address ("0000:0b:00") rather than a function. */
export function isSlotAddress(address: string): boolean {
  return !address.includes('.');
}

/** The bus:device.function part, for matching a segment-less address against full ones. */
export function shortAddress(address: string): string {
  return hasSegment(address) ? address.slice(address.indexOf(':') + 1) : address;
}

/** The slot of a function: "0000:0b:00.1" -> "0000:0b:00"; a slot is its own slot. */
export function slotOf(address: string): string {
  const dot = address.lastIndexOf('.');
  return dot < 0 ? address : address.slice(0, dot);
}

/** The functions among `known` that an address stands for: itself, or every function of a slot. */
export function functionsOf(address: string, known: Iterable<string>): string[] {
  if (!isSlotAddress(address)) return [address];
  const out: string[] = [];
  for (const k of known) if (!isSlotAddress(k) && slotOf(k) === address) out.push(k);
  return out.sort(comparePciAddresses);
}

/** Same function, a missing segment counting as unknown ("01:00.0" matches "0000:01:00.0"). */
export function sameFunction(a: string, b: string): boolean {
  if (hasSegment(a) && hasSegment(b)) return a === b;
  return shortAddress(a) === shortAddress(b);
}

/**
 * The full address for a segment-less one ("01:00.0" from an Intel fault) when exactly one known
 * function has that bus:device.function; otherwise the address unchanged.
 */
export function resolveSegment(address: string, known: Iterable<string>): string {
  if (hasSegment(address)) return address;
  let hit: string | null = null;
  for (const k of known) {
    if (!hasSegment(k) || shortAddress(k) !== address || k === hit) continue;
    if (hit !== null) return address;
    hit = k;
  }
  return hit ?? address;
}

const CANONICAL = /^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/;

/** Bus order: segment, bus, device, function; a slot sorts before its functions, no segment before any. */
export function comparePciAddresses(a: string, b: string): number {
  // Two canonical sysfs spellings (fixed widths, lower-case hex) sort as strings: sorting a thousand
  // functions need not parse each address twenty times.
  if (CANONICAL.test(a) && CANONICAL.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const pa = parsePciAddress(a, { slot: true });
  const pb = parsePciAddress(b, { slot: true });
  if (!pa || !pb) return pa ? -1 : pb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  const key = (p: PciAddress) => [p.segment ?? -1, p.bus, p.device, p.fn ?? -1];
  const ka = key(pa);
  const kb = key(pb);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
  return 0;
}
