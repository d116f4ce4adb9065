// Finds and reads the initramfs image the next kernel will boot with. A broken image is an input
// error (exit 2, one line): nothing can be predicted from an image that does not unpack.

import path from 'node:path';
import type { HostFs } from '../collect/host-fs.js';
import { summariseInitramfs } from '../collect/sources/initramfs.js';
import { InitramfsError } from '../initramfs/index.js';
import { InputError } from '../cli/command.js';
import type { NextInitramfs } from './types.js';

/** The names initramfs-tools, dracut, mkinitcpio (versioned presets) and booster give an image. */
export function imageCandidates(version: string): string[] {
  return [`/boot/initrd.img-${version}`, `/boot/initramfs-${version}.img`, `/boot/initrd-${version}`, `/boot/booster-${version}.img`, `/boot/initramfs-${version}`];
}

export async function readNextInitramfs(hfs: HostFs, version: string, explicit: string | undefined, cwd: string, timeoutMs: number): Promise<NextInitramfs> {
  let local: string;
  let shown: string;
  if (explicit !== undefined) {
    local = path.resolve(cwd, explicit);
    shown = explicit;
  } else {
    const found = imageCandidates(version).find((p) => hfs.exists(p));
    if (!found) throw new InputError(`no initramfs image for kernel ${version}: none of ${imageCandidates(version).join(', ')} exists`);
    const resolved = hfs.resolve(found);
    if (!resolved.ok) throw new InputError(`${found}: ${resolved.record.message ?? 'cannot be read'}`);
    local = resolved.value;
    shown = found;
  }
  try {
    return { image: shown, info: await summariseInitramfs(local, shown, version, timeoutMs) };
  } catch (err) {
    if (err instanceof InitramfsError) throw new InputError(err.message.split('\n')[0]!);
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EACCES' || e.code === 'EPERM') throw new InputError(`${shown}: permission denied (run as root to read the initramfs)`);
    throw err;
  }
}
