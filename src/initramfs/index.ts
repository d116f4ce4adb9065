// Reading initramfs images directly, as lsinitramfs (initramfs-tools) and lsinitrd (dracut) do: the
// file list, and the content of the few small files a passthrough check needs.

export { InitramfsError, type InitramfsErrorKind } from './errors.js';
export type {
  InitramfsCompression,
  InitramfsEntry,
  InitramfsEntryType,
  InitramfsListing,
  InitramfsReadOptions,
  InitramfsSegment,
} from './types.js';
export { listInitramfs } from './listing.js';
export { readInitramfsFile, readInitramfsFiles, type InitramfsFileReadOptions } from './read-files.js';
export { findInitramfsEntry, resolveInitramfsPath } from './path-lookup.js';
export { canonicalInitramfsPath } from './member-names.js';
