// Reading the content of a few small files inside an image (modprobe.d, conf/modules) in one streaming pass.
// What a path holds is what the kernel leaves there after unpacking everything: the last member stored
// under that path wins, and a hard-linked member gets the data of the last member of its link group that
// carries data (GNU cpio puts the data on the last link; the kernel lets it sit on any).

import { S_IFMT, S_IFREG, type CpioMember } from './cpio-newc.js';
import { InitramfsError } from './errors.js';
import { walkInitramfs } from './image-walker.js';
import { entryType } from './listing.js';
import { canonicalInitramfsPath } from './member-names.js';
import { resolveThroughSymlinks } from './path-lookup.js';
import type { InitramfsEntryType, InitramfsReadOptions } from './types.js';

export interface InitramfsFileReadOptions extends InitramfsReadOptions {
  /** Largest file content returned, in bytes; a bigger wanted file is an error. Default 1 MiB. */
  maxBytes?: number;
  /** Called with every member's canonical path, in archive order, during the one walk: a caller that
   *  also needs the listing (module names, a count) then reads the image once, not twice. */
  onMember?: (canonicalPath: string) => void;
  /**
   * The canonical path (exclusive) from which on the caller asks nothing: every wanted path and every
   * member onMember must see sorts before it. An image proven to be in initramfs-tools' sorted order is
   * then read only until a member at or after it (see early-stop.ts); others are read to the end.
   * Returns undefined while the caller does not know yet, null to read everything. onMember then sees
   * only the members before the stop (and possibly a few after it).
   */
  stopLimit?: () => string | null | undefined;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;

interface PathRecord {
  ordinal: number;
  type: InitramfsEntryType;
  linkGroup: string | null;
  size: number;
}

interface PassResult {
  /** Last member stored under each wanted canonical path. */
  lastByPath: Map<string, PathRecord>;
  /** Ordinal of the last data-carrying member of each hard-link group. */
  groupData: Map<string, number>;
  captured: Map<number, Buffer>;
  /** Every symlink in the image by canonical path, for resolving a path that went through one. */
  symlinks: Map<string, string>;
}

function linkGroupOf(member: CpioMember, segment: number): string | null {
  if ((member.mode & S_IFMT) !== S_IFREG || member.nlink < 2) return null;
  return `${segment}/${member.archive}/${member.devMajor}:${member.devMinor}/${member.ino}`;
}

/** One walk over the image capturing wanted paths and the members listed in `extraOrdinals`. */
async function capturePass(
  file: string,
  isWanted: (canonicalPath: string) => boolean,
  extraOrdinals: ReadonlySet<number>,
  maxBytes: number,
  options: InitramfsReadOptions,
  stopLimit?: () => string | null | undefined,
): Promise<PassResult> {
  const result: PassResult = {
    lastByPath: new Map(),
    groupData: new Map(),
    captured: new Map(),
    symlinks: new Map(),
  };
  const pendingGroups = new Set<string>();
  const ordinals = new Map<CpioMember, number>();
  const pieces = new Map<CpioMember, Buffer[]>();
  let nextOrdinal = 0;

  await walkInitramfs(
    file,
    {
      member(member, segment) {
        const ordinal = nextOrdinal++;
        const path = canonicalInitramfsPath(member.name);
        const type = entryType(member.mode);
        if (type === 'symlink' && member.linkTarget !== undefined) result.symlinks.set(path, member.linkTarget);
        else result.symlinks.delete(path);

        const group = linkGroupOf(member, segment);
        if (group !== null && member.size > 0) result.groupData.set(group, ordinal);
        let capture = extraOrdinals.has(ordinal);
        if (isWanted(path)) {
          result.lastByPath.set(path, { ordinal, type, linkGroup: group, size: member.size });
          if (group !== null) pendingGroups.add(group);
          capture = true;
        } else if (group !== null && pendingGroups.has(group)) {
          capture = true;
        }
        if (!capture || type !== 'file' || member.size === 0) return false;
        if (member.size > maxBytes) {
          throw new InitramfsError(
            'unsuitable-entry',
            file,
            `${file}: "${path}" inside the image is ${member.size} bytes, more than the ${maxBytes} bytes allowed`,
          );
        }
        ordinals.set(member, ordinal);
        pieces.set(member, []);
        return true;
      },
      data(member, chunk) {
        // A chunk is a view into a larger decoder buffer; copying keeps a small file from pinning all of it.
        pieces.get(member)!.push(Buffer.from(chunk));
      },
      memberEnd(member) {
        result.captured.set(ordinals.get(member)!, Buffer.concat(pieces.get(member)!));
        pieces.delete(member);
        ordinals.delete(member);
      },
      // A wanted path in a hard-link group may get its data from a later link: read everything then.
      stopLimit: stopLimit && (() => (pendingGroups.size > 0 ? null : stopLimit())),
    },
    options,
  );
  return result;
}

/** Where each wanted path's content lives: a member ordinal, or null for an empty file. */
function dataOrdinal(record: PathRecord, pass: PassResult): number | null {
  if (record.linkGroup === null) return record.size > 0 ? record.ordinal : null;
  return pass.groupData.get(record.linkGroup) ?? null;
}

async function readSelected(
  file: string,
  isWanted: (canonicalPath: string) => boolean,
  options: InitramfsFileReadOptions,
): Promise<{ contents: Map<string, Buffer>; pass: PassResult }> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const onMember = options.onMember;
  const pass = await capturePass(
    file,
    onMember ? (p) => (onMember(p), isWanted(p)) : isWanted,
    new Set(),
    maxBytes,
    options,
    options.stopLimit,
  );
  // A link group's data may sit on a member that streamed past before the wanted name was seen.
  const missing = new Set<number>();
  for (const record of pass.lastByPath.values()) {
    if (record.type !== 'file') continue;
    const ordinal = dataOrdinal(record, pass);
    if (ordinal !== null && !pass.captured.has(ordinal)) missing.add(ordinal);
  }
  if (missing.size > 0) {
    const second = await capturePass(file, () => false, missing, maxBytes, options);
    for (const [ordinal, data] of second.captured) pass.captured.set(ordinal, data);
  }
  const contents = new Map<string, Buffer>();
  for (const [path, record] of pass.lastByPath) {
    if (record.type !== 'file') continue;
    const ordinal = dataOrdinal(record, pass);
    contents.set(path, ordinal === null ? Buffer.alloc(0) : pass.captured.get(ordinal)!);
  }
  return { contents, pass };
}

/**
 * Content of the regular files chosen by `wanted` (canonical paths such as "etc/modprobe.d/vfio.conf",
 * or a test on the canonical path), keyed by canonical path. Paths are matched as stored, without
 * following symlinks; absent paths and non-files are left out.
 */
export async function readInitramfsFiles(
  file: string,
  wanted: readonly string[] | ((canonicalPath: string) => boolean),
  options: InitramfsFileReadOptions = {},
): Promise<Map<string, Buffer>> {
  let isWanted: (path: string) => boolean;
  if (typeof wanted === 'function') {
    isWanted = wanted;
  } else {
    const set = new Set(wanted.map((path) => canonicalInitramfsPath(path)));
    isWanted = (path) => set.has(path);
  }
  return (await readSelected(file, isWanted, options)).contents;
}

/**
 * Content of one small file inside the image, following symlinks the way a path lookup on the unpacked
 * root would ("lib/modprobe.d/x.conf" finds usr/lib/modprobe.d/x.conf through the lib -> usr/lib link).
 * Returns null when nothing is there; a directory or device there is an InitramfsError.
 */
export async function readInitramfsFile(
  file: string,
  innerPath: string,
  options: InitramfsFileReadOptions = {},
): Promise<Buffer | null> {
  const target = canonicalInitramfsPath(innerPath);
  const first = await readSelected(file, (path) => path === target, options);
  const direct = first.contents.get(target);
  if (direct !== undefined) return direct;

  const resolved = resolveThroughSymlinks(first.pass.symlinks, target);
  if (resolved === null) {
    throw new InitramfsError('unsuitable-entry', file, `${file}: "${target}" inside the image is a symlink loop`);
  }
  let record = first.pass.lastByPath.get(target);
  if (resolved !== target) {
    const second = await readSelected(file, (path) => path === resolved, options);
    const content = second.contents.get(resolved);
    if (content !== undefined) return content;
    record = second.pass.lastByPath.get(resolved);
  }
  if (record === undefined) return null;
  const what = record.type === 'dir' ? 'a directory' : 'a device, FIFO or socket';
  throw new InitramfsError('unsuitable-entry', file, `${file}: "${target}" inside the image is ${what}, not a regular file`);
}
