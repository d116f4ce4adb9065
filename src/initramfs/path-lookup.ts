// Finding a path inside an image the way the booted system would: Debian's initramfs stores
// usr/lib/modules/... with "lib" a symlink to "usr/lib", so "lib/modules/..." only exists through the link.

import { canonicalInitramfsPath } from './member-names.js';
import type { InitramfsEntry, InitramfsListing } from './types.js';

// Same bound the kernel puts on a path walk.
const MAX_SYMLINK_HOPS = 40;

/** Symlinks by canonical path; a later non-symlink entry at the same path replaces the link, as unpacking does. */
export function symlinkTable(entries: Iterable<Pick<InitramfsEntry, 'path' | 'type' | 'linkTarget'>>): Map<string, string> {
  const links = new Map<string, string>();
  for (const entry of entries) {
    const key = canonicalInitramfsPath(entry.path);
    if (entry.type === 'symlink' && entry.linkTarget !== undefined) links.set(key, entry.linkTarget);
    else links.delete(key);
  }
  return links;
}

/**
 * The canonical path `innerPath` leads to after following symlinks in every component, or null when the
 * links loop. Absolute link targets are taken from the image root.
 */
export function resolveThroughSymlinks(links: ReadonlyMap<string, string>, innerPath: string): string | null {
  const split = (path: string): string[] => (path === '.' ? [] : path.split('/'));
  let parts = split(canonicalInitramfsPath(innerPath));
  let hops = 0;
  let index = 0;
  while (index < parts.length) {
    const target = links.get(parts.slice(0, index + 1).join('/'));
    if (target === undefined) {
      index += 1;
      continue;
    }
    hops += 1;
    if (hops > MAX_SYMLINK_HOPS) return null;
    const base = target.startsWith('/') ? [] : parts.slice(0, index);
    parts = split(canonicalInitramfsPath([...base, target, ...parts.slice(index + 1)].join('/')));
    index = 0;
  }
  return parts.length === 0 ? '.' : parts.join('/');
}

/** Canonical path of `innerPath` inside the listed image, symlinks followed; null when the links loop. */
export function resolveInitramfsPath(listing: InitramfsListing, innerPath: string): string | null {
  return resolveThroughSymlinks(symlinkTable(listing.entries), innerPath);
}

/** The entry a path names once unpacked (the last one stored under it), symlinks followed; undefined if absent. */
export function findInitramfsEntry(listing: InitramfsListing, innerPath: string): InitramfsEntry | undefined {
  const resolved = resolveInitramfsPath(listing, innerPath);
  if (resolved === null) return undefined;
  let found: InitramfsEntry | undefined;
  for (const entry of listing.entries) {
    if (canonicalInitramfsPath(entry.path) === resolved) found = entry;
  }
  return found;
}
