// Which compression a region of an image uses, decided from its first bytes (file names lie: Debian calls
// every image initrd.img-VERSION whatever COMPRESS says), and which program undoes it.

import type { InitramfsCompression } from './types.js';

export type CompressedFormat = Exclude<InitramfsCompression, 'none'>;

interface Signature {
  format: CompressedFormat;
  magic: readonly number[];
}

// The kernel only looks at two bytes; longer magics avoid calling random data "lzma" and are what every
// real compressor writes. lz4 is the legacy frame (what `lz4 -l` writes), the only one the kernel reads.
const SIGNATURES: readonly Signature[] = [
  { format: 'gzip', magic: [0x1f, 0x8b] },
  { format: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd] },
  { format: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { format: 'lzma', magic: [0x5d, 0x00, 0x00] },
  { format: 'lz4', magic: [0x02, 0x21, 0x4c, 0x18] },
  { format: 'bzip2', magic: [0x42, 0x5a, 0x68] },
  { format: 'lzo', magic: [0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a] },
];

/** Bytes needed to tell every supported format apart. */
export const MAGIC_PROBE_BYTES = 16;

export function detectCompression(head: Buffer): CompressedFormat | null {
  for (const sig of SIGNATURES) {
    if (head.length >= sig.magic.length && sig.magic.every((b, k) => head[k] === b)) return sig.format;
  }
  return null;
}

function startsWith(head: Buffer, bytes: readonly number[]): boolean {
  return head.length >= bytes.length && bytes.every((b, k) => head[k] === b);
}

/** What to tell a user whose image starts with bytes we cannot read: the bytes, and a guess when one is safe. */
export function describeUnknownMagic(head: Buffer): string {
  const hex = [...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  let hint = '';
  if (startsWith(head, [0x04, 0x22, 0x4d, 0x18])) {
    hint = '; this is the LZ4 frame format, but the kernel only unpacks legacy LZ4 (lz4 -l, magic 02 21 4c 18)';
  } else if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46])) {
    hint = '; this is an ELF file, not an initramfs';
  } else if (startsWith(head, [0x4d, 0x5a])) {
    hint = '; this looks like a PE/EFI executable (a kernel or unified kernel image?), not an initramfs';
  } else if (startsWith(head, [0x30, 0x37, 0x30, 0x37, 0x30])) {
    hint = '; this is a cpio header, but at an offset that is not a multiple of 4, where the kernel does not accept one';
  } else if (startsWith(head, [0x1f, 0x9e])) {
    hint = '; this is the old gzip variant (1f 9e), which gzip tools no longer read';
  }
  return `first bytes ${hex} are neither a cpio header nor a compression the kernel unpacks (gzip, zstd, xz, lzma, lz4, bzip2, lzo)${hint}`;
}

export interface DecompressorCommand {
  command: string;
  args: readonly string[];
  /** Debian/Ubuntu package that ships the command. */
  debianPackage: string;
  /** Where Fedora/RHEL and Arch name the package differently. */
  otherPackages?: string;
}

/** gzip is decoded in-process with node:zlib; the rest go through the system's own tool. */
export const DECOMPRESSORS: Readonly<Record<Exclude<CompressedFormat, 'gzip'>, DecompressorCommand>> = {
  zstd: { command: 'zstd', args: ['-d', '-c', '-q'], debianPackage: 'zstd' },
  xz: { command: 'xz', args: ['-d', '-c', '--format=xz'], debianPackage: 'xz-utils', otherPackages: 'xz on Fedora/Arch' },
  lzma: {
    command: 'xz',
    args: ['-d', '-c', '--format=lzma'],
    debianPackage: 'xz-utils',
    otherPackages: 'xz on Fedora/Arch',
  },
  lz4: { command: 'lz4', args: ['-d', '-c'], debianPackage: 'lz4' },
  bzip2: { command: 'bzip2', args: ['-d', '-c'], debianPackage: 'bzip2' },
  lzo: { command: 'lzop', args: ['-d', '-c'], debianPackage: 'lzop' },
};
