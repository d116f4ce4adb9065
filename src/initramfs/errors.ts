// The one error type the initramfs reader lets out. Callers (preflight, the CLI) print `message` as the
// single line a user sees; `kind` lets them decide without parsing text.

export type InitramfsErrorKind =
  /** The image file does not exist. */
  | 'not-found'
  /** The image exists but cannot be read (permissions, a directory, an I/O error). */
  | 'unreadable'
  /** A zero-length file: what a failed update-initramfs leaves behind. */
  | 'empty'
  /** The data stops inside an archive or compressed stream. */
  | 'truncated'
  /** Bytes that break the cpio format or the compressed stream. */
  | 'corrupt'
  /** Neither a cpio header nor any compression the kernel can unpack. */
  | 'unknown-compression'
  /** The external decompressor for this compression is not installed. */
  | 'decompressor-missing'
  /** The external decompressor ran and reported an error that is not plainly truncation. */
  | 'decompressor-failed'
  | 'timeout'
  /** The caller gave up on the read (InitramfsReadOptions.signal). */
  | 'cancelled'
  /** A requested inner file is not a regular file or is larger than the caller allowed. */
  | 'unsuitable-entry';

export class InitramfsError extends Error {
  override readonly name = 'InitramfsError';

  constructor(
    readonly kind: InitramfsErrorKind,
    /** The image file the problem is in. */
    readonly file: string,
    message: string,
    /** Byte offset in the image file the problem is at or after, when one is known. */
    readonly offset?: number,
  ) {
    super(message);
  }
}
