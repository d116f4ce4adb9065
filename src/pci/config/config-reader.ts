// Bounds-checked little-endian access to a config-space image. Decoders go through this so that a short
// read (non-root, cut-off file) shows up as a null they must handle instead of a silent zero.

/** Config space is never larger than this (PCIe extended space); anything past it is not config space. */
export const CONFIG_SPACE_MAX = 4096;

export class ConfigReader {
  readonly bytes: Uint8Array;
  /** Readable bytes, capped at CONFIG_SPACE_MAX. */
  readonly length: number;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.length = Math.min(bytes.length, CONFIG_SPACE_MAX);
  }

  /** Whether `size` bytes starting at `offset` were read. */
  has(offset: number, size: number): boolean {
    return Number.isInteger(offset) && offset >= 0 && size >= 0 && offset + size <= this.length;
  }

  u8(offset: number): number | null {
    return this.has(offset, 1) ? this.bytes[offset]! : null;
  }

  u16(offset: number): number | null {
    return this.has(offset, 2) ? this.bytes[offset]! | (this.bytes[offset + 1]! << 8) : null;
  }

  u32(offset: number): number | null {
    if (!this.has(offset, 4)) return null;
    // >>> 0 keeps bit 31 from turning the value negative.
    return (
      (this.bytes[offset]! |
        (this.bytes[offset + 1]! << 8) |
        (this.bytes[offset + 2]! << 16) |
        (this.bytes[offset + 3]! << 24)) >>>
      0
    );
  }
}
