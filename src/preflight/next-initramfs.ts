// Finds and reads the initramfs image the next kernel will boot with. A broken image is an input
// error (exit 2, one line): nothing can be predicted from an image that does not unpack.

import path from 'node:path';
import type { HostFs } from '../collect/host-fs.js';
import { summariseInitramfs } from '../collect/sources/initramfs.js';
import { InitramfsError } from '../initramfs/index.js';
import { InputError } from '../cli/command.js';
import { moduleKey } from '../parse/proc-modules.js';
import type { NextInitramfs, NextKernel } from './types.js';
import { readImageInWorker, type PendingImage } from './image-reader.js';

/** The names initramfs-tools, dracut, mkinitcpio (versioned presets) and booster give an image. */
export function imageCandidates(version: string): string[] {
  return [`/boot/initrd.img-${version}`, `/boot/initramfs-${version}.img`, `/boot/initrd-${version}`, `/boot/booster-${version}.img`, `/boot/initramfs-${version}`];
}

/**
 * Where reading the image may stop: past the files of the modules asked about, as the image holds them
 * (usr/lib/modules/VERSION/ plus the path below the new kernel's modules directory; "lib" is a link to
 * "usr/lib" in a merged-/usr image, and a real lib/ sorts before usr/ anyway). null when a module has no
 * file on disk: then no place in the image is known for it, and the image is read to the end.
 */
export function modulesStopLimit(kernel: NextKernel, names: Iterable<string>): string | null {
  if (kernel.modulesDir === null) return null;
  let limit = '';
  for (const name of names) {
    const file = kernel.onDisk.get(moduleKey(name));
    if (!file || !file.path.startsWith(`${kernel.modulesDir}/`)) return null;
    const stem = file.path.slice(kernel.modulesDir.length + 1).replace(/\.ko(\.(xz|zst|gz))?$/, '');
    // Every name that starts with STEM.ko (.ko, .ko.xz, .ko.zst, .ko.gz) sorts before STEM.kp.
    const candidate = `usr/lib/modules/${kernel.version}/${stem}.kp`;
    if (candidate > limit) limit = candidate;
  }
  return limit === '' ? null : limit;
}

interface ImagePath {
  /** Inside the capture, to read. */
  local: string;
  /** As the report shows it. */
  shown: string;
}

/** The image to read for `version`: --initramfs as given, else the first of imageCandidates present. */
function locateImage(hfs: HostFs, version: string, explicit: string | undefined, cwd: string): ImagePath {
  if (explicit !== undefined) return { local: path.resolve(cwd, explicit), shown: explicit };
  const found = imageCandidates(version).find((p) => hfs.exists(p));
  if (!found) throw new InputError(`no initramfs image for kernel ${version}: none of ${imageCandidates(version).join(', ')} exists`);
  const resolved = hfs.resolve(found);
  if (!resolved.ok) throw new InputError(`${found}: ${resolved.record.message ?? 'cannot be read'}`);
  return { local: resolved.value, shown: found };
}

/**
 * Starts reading the image `version` will boot with on a worker thread, before anything else is known
 * (see image-reader.ts); null when the image cannot be located: readNextInitramfs then says why, at the
 * point of the run where it always has.
 */
export function startNextInitramfs(hfs: HostFs, version: string, explicit: string | undefined, cwd: string, timeoutMs: number): PendingImage | null {
  let image: ImagePath;
  try {
    image = locateImage(hfs, version, explicit, cwd);
  } catch {
    return null;
  }
  return readImageInWorker({ file: image.local, shown: image.shown, kernel: version, timeoutMs });
}

/**
 * The image `version` boots with, summarised. `started`, when it is a read of that same image begun by
 * startNextInitramfs, is told the limit and awaited instead of reading the image again here.
 */
export async function readNextInitramfs(
  hfs: HostFs,
  version: string,
  explicit: string | undefined,
  cwd: string,
  timeoutMs: number,
  modulesLimit: string | null = null,
  started: PendingImage | null = null,
): Promise<NextInitramfs> {
  const { local, shown } = locateImage(hfs, version, explicit, cwd);
  const same = started !== null && started.job.file === local && started.job.shown === shown && started.job.kernel === version;
  if (!same) void started?.cancel();
  try {
    if (same) {
      started.limit(modulesLimit);
      return { image: shown, info: await started.result() };
    }
    return { image: shown, info: await summariseInitramfs(local, shown, version, timeoutMs, modulesLimit) };
  } catch (err) {
    if (err instanceof InitramfsError) throw new InputError(err.message.split('\n')[0]!);
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EACCES' || e.code === 'EPERM') throw new InputError(`${shown}: permission denied (run as root to read the initramfs)`);
    throw err;
  }
}
