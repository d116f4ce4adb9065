// The file list of an image, shaped like lsinitramfs output plus what a check needs (type, mode, size,
// symlink targets, which region each entry came from).

import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, type CpioMember } from './cpio-newc.js';
import { walkInitramfs } from './image-walker.js';
import { listedMemberName } from './member-names.js';
import type { InitramfsEntry, InitramfsEntryType, InitramfsListing, InitramfsReadOptions } from './types.js';

export function entryType(mode: number): InitramfsEntryType {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return 'file';
    case S_IFDIR:
      return 'dir';
    case S_IFLNK:
      return 'symlink';
    default:
      return 'other';
  }
}

function toEntry(member: CpioMember, segment: number): InitramfsEntry {
  const entry: InitramfsEntry = {
    path: listedMemberName(member.name),
    mode: member.mode,
    type: entryType(member.mode),
    size: member.size,
    segment,
  };
  if (member.linkTarget !== undefined) entry.linkTarget = member.linkTarget;
  return entry;
}

export async function listInitramfs(path: string, options: InitramfsReadOptions = {}): Promise<InitramfsListing> {
  const entries: InitramfsEntry[] = [];
  const layout = await walkInitramfs(
    path,
    {
      member(member, segment) {
        entries.push(toEntry(member, segment));
      },
    },
    options,
  );
  return { path, size: layout.size, segments: layout.segments, entries };
}
