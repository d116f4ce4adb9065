// Names from the pci.ids database (the file pciutils reads, /usr/share/misc/pci.ids or
// /usr/share/hwdata/pci.ids). The file is ~1.3 MB and a host has a few dozen vendors, so loading only
// finds where each top-level block starts; a vendor's device lines are located the first time a lookup
// needs that vendor, a device's subsystem lines the first time a lookup needs that device, and a name is
// cut out of the text only when it is returned. The scans are regular expressions, so the byte-by-byte
// work runs in the regex engine rather than in interpreted JS.
//
// Format (as pciutils lib/names-parse.c reads it): top-level lines are "vvvv  vendor", "C cc  class",
// "S vvvv" (generic subsystems) or some other "X ..." block, which is skipped; one tab nests devices,
// subclasses and generic subsystem entries; two tabs nest "ssss dddd  subsystem" and prog-ifs. Lines
// starting with '#' are comments. Malformed lines are skipped rather than failing the whole file.
import type { PciNames } from '../snapshot/types.js';

export interface PciIdDatabase {
  /** From the "# Version: ..." comment, when the file has one. */
  readonly version: string | null;
  readonly vendorCount: number;
  /**
   * Names for one function. Ids are hex in any case, with or without 0x; classCode is 6 (or 4) hex
   * digits. The subsystem is looked up as pciutils does: the device's own subsystem list, then the
   * generic list, then the device's name when the subsystem ids equal the device ids. class is the
   * subclass name when known, else the base class name. Unknown ids give null.
   */
  lookup(
    vendorId: string,
    deviceId: string,
    subVendorId: string | null,
    subDeviceId: string | null,
    classCode: string,
  ): PciNames;
}

/**
 * Index a pci.ids text, or its bytes (UTF-8). Never throws; unreadable content just names nothing.
 * Passing the bytes is the faster path: the structure is scanned on a one-byte string and only the
 * names that are returned are decoded as UTF-8.
 */
export function loadPciIds(source: string | Uint8Array): PciIdDatabase {
  if (typeof source === 'string') return new PciIdIndex(source, (start, end) => source.slice(start, end));
  const bytes = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  // latin1 maps each byte to one character, so string offsets are byte offsets into `bytes`.
  return new PciIdIndex(bytes.toString('latin1'), (start, end) => bytes.toString('utf8', start, end));
}

/** Text of [start, end) as the file's characters. */
type Cut = (start: number, end: number) => string;

/** A name not yet cut out of the text: where its line's name part starts. */
interface Lazy {
  nameAt: number;
  name: string | null;
}

interface DeviceEntry extends Lazy {
  /** Text range of the subsystem lines below the device line. */
  start: number;
  end: number;
  /** Keyed "ssss dddd"; null until first needed. */
  subsystems: Map<string, Lazy> | null;
}

interface VendorBlock extends Lazy {
  start: number;
  end: number;
  /** null until first needed. */
  devices: Map<string, DeviceEntry> | null;
}

interface ClassEntry extends Lazy {
  subclasses: Map<string, Lazy>;
}

class PciIdIndex implements PciIdDatabase {
  readonly version: string | null;
  private readonly vendors = new Map<string, VendorBlock>();
  private readonly classes = new Map<string, ClassEntry>();
  /** Generic subsystem names, keyed "ssss dddd". */
  private readonly genericSubsystems = new Map<string, Lazy>();

  constructor(
    private readonly text: string,
    private readonly cut: Cut,
  ) {
    // The version is ASCII, so the scanning text spells it right on both input paths.
    this.version = /^#\s*Version:\s*(\S+)/m.exec(text.slice(0, 4096))?.[1] ?? null;
    this.index();
  }

  get vendorCount(): number {
    return this.vendors.size;
  }

  lookup(
    vendorId: string,
    deviceId: string,
    subVendorId: string | null,
    subDeviceId: string | null,
    classCode: string,
  ): PciNames {
    const v = normalizeId(vendorId);
    const d = normalizeId(deviceId);
    const vendor = v === null ? undefined : this.vendors.get(v);
    const device = vendor && d !== null ? this.devicesOf(vendor).get(d) : undefined;
    return {
      vendor: vendor ? this.nameOf(vendor) : null,
      device: device ? this.nameOf(device) : null,
      subsystem: this.subsystemName(device, v, d, subVendorId, subDeviceId),
      class: this.className(classCode),
    };
  }

  private subsystemName(
    device: DeviceEntry | undefined,
    v: string | null,
    d: string | null,
    subVendorId: string | null,
    subDeviceId: string | null,
  ): string | null {
    if (subVendorId === null || subDeviceId === null) return null;
    const sv = normalizeId(subVendorId);
    const sd = normalizeId(subDeviceId);
    if (sv === null || sd === null) return null;
    const key = `${sv} ${sd}`;
    const entry = (device && this.subsystemsOf(device).get(key)) ?? this.genericSubsystems.get(key);
    const named = entry ? this.nameOf(entry) : null;
    if (named !== null) return named;
    // Boards that reuse the chip's ids as subsystem ids are named after the chip.
    if (device && sv === v && sd === d) return this.nameOf(device);
    return null;
  }

  private className(classCode: string): string | null {
    const code = classCode.trim().toLowerCase().replace(/^0x/, '');
    if (!/^[0-9a-f]{4}(?:[0-9a-f]{2})?$/.test(code)) return null;
    const entry = this.classes.get(code.slice(0, 2));
    if (!entry) return null;
    const subclass = entry.subclasses.get(code.slice(2, 4));
    return (subclass && this.nameOf(subclass)) ?? this.nameOf(entry);
  }

  /** The name, cut on first use; null when the line has no name (pciutils rejects such lines). */
  private nameOf(entry: Lazy): string | null {
    entry.name ??= this.cut(entry.nameAt, endOfLine(this.text, entry.nameAt)).trim();
    return entry.name === '' ? null : entry.name;
  }

  /** Finds every top-level line; reads the small class and generic-subsystem blocks right away. */
  private index(): void {
    const text = this.text;
    const topLevel = /^(?:([0-9a-fA-F]{4})[ \t]|([A-Z]) )/gm;
    // Called with where the open block ends: its nested lines run to the next top-level line. Comments in
    // between are harmless, as the nested scans only match lines that start with tabs.
    let closeOpenBlock: ((end: number) => void) | null = null;
    for (let m = topLevel.exec(text); m; m = topLevel.exec(text)) {
      closeOpenBlock?.(m.index);
      closeOpenBlock = null;
      const lineEnd = endOfLine(text, m.index);
      const nameAt = m.index + m[0].length;
      if (m[1] !== undefined) {
        const id = m[1].toLowerCase();
        if (this.vendors.has(id)) continue;
        const vendor: VendorBlock = { nameAt, name: null, start: lineEnd, end: text.length, devices: null };
        this.vendors.set(id, vendor);
        closeOpenBlock = (end) => (vendor.end = end);
      } else {
        const letter = m[2]!;
        closeOpenBlock = (end) => this.readLetteredBlock(letter, nameAt, lineEnd, end);
      }
    }
    closeOpenBlock?.(text.length);
  }

  private readLetteredBlock(letter: string, headAt: number, start: number, end: number): void {
    const text = this.text;
    if (letter === 'C') {
      const head = /^([0-9a-fA-F]{2})[ \t]/.exec(text.slice(headAt, headAt + 3));
      if (!head) return;
      const id = head[1]!.toLowerCase();
      if (this.classes.has(id)) return;
      const subclasses = new Map<string, Lazy>();
      eachMatch(text, /^\t([0-9a-fA-F]{2})[ \t]/gm, start, end, (m) => {
        const sub = m[1]!.toLowerCase();
        if (!subclasses.has(sub)) subclasses.set(sub, { nameAt: m.index + m[0].length, name: null });
      });
      this.classes.set(id, { nameAt: headAt + 3, name: null, subclasses });
    } else if (letter === 'S') {
      const vendor = normalizeId(text.slice(headAt, endOfLine(text, headAt)));
      if (vendor === null) return;
      eachMatch(text, /^\t([0-9a-fA-F]{4})[ \t]/gm, start, end, (m) => {
        const key = `${vendor} ${m[1]!.toLowerCase()}`;
        if (!this.genericSubsystems.has(key)) this.genericSubsystems.set(key, { nameAt: m.index + m[0].length, name: null });
      });
    }
  }

  private devicesOf(vendor: VendorBlock): Map<string, DeviceEntry> {
    if (vendor.devices) return vendor.devices;
    const devices = new Map<string, DeviceEntry>();
    let previous: DeviceEntry | null = null;
    eachMatch(this.text, /^\t([0-9a-fA-F]{4})[ \t]/gm, vendor.start, vendor.end, (m) => {
      if (previous) previous.end = m.index;
      previous = null;
      const id = m[1]!.toLowerCase();
      if (devices.has(id)) return;
      const nameAt = m.index + m[0].length;
      previous = { nameAt, name: null, start: nameAt, end: vendor.end, subsystems: null };
      devices.set(id, previous);
    });
    vendor.devices = devices;
    return devices;
  }

  private subsystemsOf(device: DeviceEntry): Map<string, Lazy> {
    if (device.subsystems) return device.subsystems;
    const subsystems = new Map<string, Lazy>();
    eachMatch(this.text, /^\t\t([0-9a-fA-F]{4}) ([0-9a-fA-F]{4})[ \t]/gm, device.start, device.end, (m) => {
      const key = `${m[1]!.toLowerCase()} ${m[2]!.toLowerCase()}`;
      if (!subsystems.has(key)) subsystems.set(key, { nameAt: m.index + m[0].length, name: null });
    });
    device.subsystems = subsystems;
    return subsystems;
  }
}

/** Runs a global, multiline pattern over text[start, end). */
function eachMatch(text: string, pattern: RegExp, start: number, end: number, each: (m: RegExpExecArray) => void): void {
  pattern.lastIndex = start;
  for (let m = pattern.exec(text); m && m.index < end; m = pattern.exec(text)) each(m);
}

function endOfLine(text: string, from: number): number {
  const newline = text.indexOf('\n', from);
  return newline < 0 ? text.length : newline;
}

/** Accepts "10DE", "0x10de", "10de", "1"; gives the 4-digit lowercase form, or null for anything else. */
function normalizeId(id: string): string | null {
  const bare = id.trim().toLowerCase().replace(/^0x/, '');
  if (!/^[0-9a-f]{1,4}$/.test(bare)) return null;
  return bare.padStart(4, '0');
}
