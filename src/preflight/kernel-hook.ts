// The kernel postinst hook: Debian-style kernel packages run every script in /etc/kernel/postinst.d with
// the new version as $1 once the kernel and its initramfs are in place. The "zz-" prefix orders it after
// initramfs-tools and zz-update-grub, so the image and grub.cfg it checks are the ones that will boot.

import fs from 'node:fs';
import path from 'node:path';
import { AtomicWriteError, writeFileAtomic } from '../output/atomic-write.js';
import { fsErrorText } from '../output/fs-error-text.js';

export const KERNEL_HOOK_PATH = '/etc/kernel/postinst.d/zz-vfio-doctor';

/** Marks the file as ours, so uninstall never removes a hook someone else wrote under that name. */
const MARKER = '# vfio-doctor kernel hook';

export class KernelHookError extends Error {}

export interface KernelHookOptions {
  /** '' or undefined for the live host; otherwise a directory standing for / (tests, image builds). */
  root?: string;
  /** Absolute path of the vfio-doctor executable the hook runs. */
  cliPath: string;
  /** Replace a different file already at the hook's path. */
  force?: boolean;
}

export interface KernelHookResult {
  /** Host path of the hook. */
  path: string;
  action: 'created' | 'replaced' | 'unchanged' | 'removed' | 'absent';
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function kernelHookScript(cliPath: string): string {
  return `#!/bin/sh
${MARKER} (written by: vfio-doctor install --kernel-hook; remove with vfio-doctor uninstall --kernel-hook)
# Checks passthrough for the kernel being installed, before anyone reboots into it. It only warns:
# failing here would abort the kernel package installation and leave the system half-upgraded.
version="$1"
vfio_doctor=${shellQuote(cliPath)}
[ -n "$version" ] || exit 0
if [ ! -x "$vfio_doctor" ]; then
	echo "vfio-doctor kernel hook: $vfio_doctor is missing; passthrough was NOT checked for $version" >&2
	exit 0
fi
"$vfio_doctor" preflight --kernel "$version" >&2
status=$?
if [ "$status" -eq 1 ]; then
	{
		echo "################################################################################"
		echo "## WARNING: PCI passthrough will BREAK when kernel $version boots."
		echo "## Fix the findings above, then re-check with:"
		echo "##   vfio-doctor preflight --kernel $version"
		echo "## DO NOT REBOOT into $version until it passes."
		echo "################################################################################"
	} >&2
elif [ "$status" -ne 0 ]; then
	echo "vfio-doctor kernel hook: could not check kernel $version (exit status $status); see the message above" >&2
fi
exit 0
`;
}

function local(root: string | undefined, hostPath: string): string {
  return root ? path.join(root, hostPath) : hostPath;
}

/** Stands for a symbolic link found at the hook's path. */
const LINK = Symbol('symbolic link');

function readOrNull(p: string): string | null | typeof LINK {
  let fd: number;
  try {
    // A link at the hook's path is somebody's doing: never read or write through it.
    fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    if (code === 'ELOOP') return LINK;
    throw new KernelHookError(`cannot read ${p}: ${fsErrorText(err)}`);
  }
  try {
    if (!fs.fstatSync(fd).isFile()) throw new KernelHookError(`${p} is not a regular file; left in place`);
    return fs.readFileSync(fd, 'utf8');
  } catch (err) {
    if (err instanceof KernelHookError) throw err;
    throw new KernelHookError(`cannot read ${p}: ${fsErrorText(err)}`);
  } finally {
    fs.closeSync(fd);
  }
}

export function installKernelHook(opts: KernelHookOptions): KernelHookResult {
  if (!path.isAbsolute(opts.cliPath)) throw new KernelHookError(`the hook needs an absolute path to vfio-doctor, not ${opts.cliPath}`);
  const target = local(opts.root, KERNEL_HOOK_PATH);
  const script = kernelHookScript(opts.cliPath);
  const current = readOrNull(target);
  if (current === script) return { path: KERNEL_HOOK_PATH, action: 'unchanged' };
  if (current === LINK && !opts.force) throw new KernelHookError(`${KERNEL_HOOK_PATH} is a symbolic link, not a hook vfio-doctor wrote; use --force to replace the link`);
  if (typeof current === 'string' && !current.includes(MARKER) && !opts.force) {
    throw new KernelHookError(`${KERNEL_HOOK_PATH} exists and was not written by vfio-doctor; use --force to replace it`);
  }
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
  } catch (err) {
    throw new KernelHookError(`cannot create ${path.dirname(target)}: ${fsErrorText(err)}`);
  }
  // Written to a fresh random name beside the target and renamed, so a kernel install running now never
  // sees half a script, and a link planted at a predictable temporary name redirects nothing.
  try {
    writeFileAtomic(target, script, { overwrite: current !== null, mode: 0o755 });
  } catch (err) {
    if (err instanceof AtomicWriteError) throw new KernelHookError(err.message);
    throw err;
  }
  return { path: KERNEL_HOOK_PATH, action: current === null ? 'created' : 'replaced' };
}

export function uninstallKernelHook(opts: { root?: string }): KernelHookResult {
  const target = local(opts.root, KERNEL_HOOK_PATH);
  const current = readOrNull(target);
  if (current === null) return { path: KERNEL_HOOK_PATH, action: 'absent' };
  if (current === LINK || !current.includes(MARKER)) throw new KernelHookError(`${KERNEL_HOOK_PATH} was not written by vfio-doctor; left in place`);
  try {
    fs.unlinkSync(target);
  } catch (err) {
    throw new KernelHookError(`cannot remove ${target}: ${fsErrorText(err)}`);
  }
  return { path: KERNEL_HOOK_PATH, action: 'removed' };
}
