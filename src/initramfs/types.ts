// What a listing of an initramfs image looks like to callers.

/** How one region of the image is stored; 'none' is a plain cpio archive (the early-microcode part, usually). */
export type InitramfsCompression = 'none' | 'gzip' | 'zstd' | 'xz' | 'lzma' | 'lz4' | 'bzip2' | 'lzo';

export type InitramfsEntryType = 'file' | 'dir' | 'symlink' | 'other';

export interface InitramfsSegment {
  /** Byte offset in the image file where this region starts (its first cpio header or compression magic). */
  offset: number;
  compression: InitramfsCompression;
  /** Entries listed from this region (the TRAILER!!! markers are not counted). */
  entries: number;
}

export interface InitramfsEntry {
  /**
   * The member name as GNU cpio lists it, which is what lsinitramfs prints: leading "/" and any leading
   * part that climbs with ".." removed, a stored "./" prefix kept, an empty name shown as ".".
   */
  path: string;
  /** Full st_mode: file type bits and permissions. */
  mode: number;
  type: InitramfsEntryType;
  /** Size of the data field; 0 for directories, and for hard links whose data sits on another member. */
  size: number;
  linkTarget?: string;
  /** Index into InitramfsListing.segments of the region this entry came from. */
  segment: number;
}

export interface InitramfsListing {
  path: string;
  /** Image file size in bytes. */
  size: number;
  segments: InitramfsSegment[];
  /** In archive order; a path stored twice (early and main archive) appears twice, as lsinitramfs shows it. */
  entries: InitramfsEntry[];
}

export interface InitramfsReadOptions {
  /** Bound on the whole read, decompression included. Default 120 s. */
  timeoutMs?: number;
  /** Ends the read (decoder included) when aborted; the read then rejects with a 'cancelled' error. */
  signal?: AbortSignal;
}
