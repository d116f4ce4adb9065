import fs from 'node:fs';
import type { InitramfsInfo, InstalledKernel, ModprobeEntry, ModuleLoadEntry, SourceRecord } from '../../snapshot/types.js';
import { InitramfsError, readInitramfsFiles } from '../../initramfs/index.js';
import { parseModprobeConf, parseModulesLoad } from '../../parse/modprobe-conf.js';
import { moduleKey } from '../../parse/proc-modules.js';
import { note, type CollectContext } from '../context.js';
import { compareByteOrder } from '../../text/byte-order.js';

const MODULE_FILE = /\/([^/]+)\.ko(\.(xz|zst|gz))?$/;
const MODPROBE_CONF = /^(etc|usr\/lib|lib|run)\/modprobe\.d\/[^/]+\.conf$/;
const LOAD_LIST = /^(conf\/modules|(etc|usr\/lib|lib)\/modules-load\.d\/[^/]+\.conf)$/;

/** Every path MODPROBE_CONF and LOAD_LIST match sorts before this one (byte order, as LC_ALL=C sort). */
export const CONFIG_FILES_LIMIT = 'usr/lib/modules-load.d0';

/**
 * Summarises an initramfs image: modules inside, modprobe configuration and module lists inside.
 * With `modulesLimit` (a canonical path, exclusive, past every module file the caller will ask about;
 * null when that is not known) an image in initramfs-tools' sorted order is read only that far: `modules`
 * is then exact for the modules whose files sort before it, `entries` counts what was read, and the
 * configuration files are complete. A function is asked between chunks and may answer undefined while
 * the limit is not known yet (preflight starts reading before it knows what it will ask).
 */
export async function summariseInitramfs(
  localPath: string,
  hostPath: string,
  kernel: string,
  timeoutMs: number,
  modulesLimit?: string | null | (() => string | null | undefined),
  signal?: AbortSignal,
): Promise<InitramfsInfo> {
  const modules = new Set<string>();
  let entries = 0;
  const wanted = (p: string) => MODPROBE_CONF.test(p) || LOAD_LIST.test(p);
  const withConfig = (l: string | null | undefined): string | null | undefined => (typeof l === 'string' && l < CONFIG_FILES_LIMIT ? CONFIG_FILES_LIMIT : l);
  const asked = modulesLimit ?? null;
  const stopLimit = typeof asked === 'function' ? () => withConfig(asked()) : asked === null ? null : () => withConfig(asked);
  // One walk gives both the member names (modules inside, the count) and the small files read.
  const files = await readInitramfsFiles(localPath, wanted, {
    timeoutMs,
    ...(signal === undefined ? {} : { signal }),
    ...(stopLimit === null ? {} : { stopLimit }),
    onMember: (p) => {
      entries++;
      const m = MODULE_FILE.exec('/' + p);
      if (m) modules.add(moduleKey(m[1]!));
    },
  });
  const modprobe: ModprobeEntry[] = [];
  const loadAtBoot: ModuleLoadEntry[] = [];
  for (const [p, data] of [...files.entries()].sort(([a], [b]) => compareByteOrder(a, b))) {
    const text = data.toString('utf8');
    if (MODPROBE_CONF.test(p)) modprobe.push(...parseModprobeConf(text, p).entries);
    else loadAtBoot.push(...parseModulesLoad(text, p, 'initramfs'));
  }
  return { kernel, image: hostPath, modules: [...modules].sort(), modprobe, loadAtBoot, entries };
}

/** The running kernel's image on the host, resolved inside the capture; the record when there is none. */
function runningImage(ctx: CollectContext, release: string | null, kernels: InstalledKernel[]): { image: string; local: string } | null {
  const image = kernels.find((k) => k.version === release)?.initramfs ?? null;
  if (!release || !image) {
    note(ctx, 'initramfs', { status: 'absent', path: release ? `/boot/initrd.img-${release}` : '/boot', message: release ? 'no initramfs image found for the running kernel' : 'kernel release unknown' });
    return null;
  }
  // Resolved inside the capture, and only a regular file: the image is read by path further on.
  const local = ctx.fs.resolve(image);
  if (!local.ok) {
    note(ctx, 'initramfs', local.record);
    return null;
  }
  if (!fs.statSync(local.value, { throwIfNoEntry: false })?.isFile()) {
    note(ctx, 'initramfs', { status: 'error', path: image, message: 'not a regular file, not read' });
    return null;
  }
  return { image, local: local.value };
}

function deniedRecord(image: string, err: unknown, fallback: string): SourceRecord {
  const e = err as NodeJS.ErrnoException;
  const denied = e.code === 'EACCES' || e.code === 'EPERM';
  return { status: denied ? 'denied' : 'error', path: image, message: err instanceof InitramfsError || !denied ? fallback : 'permission denied (run as root to read it)' };
}

/** The running kernel's initramfs, read directly from the image. */
export async function collectInitramfs(ctx: CollectContext, release: string | null, kernels: InstalledKernel[]): Promise<InitramfsInfo | null> {
  const found = runningImage(ctx, release, kernels);
  if (!found) return null;
  try {
    const info = await summariseInitramfs(found.local, found.image, release!, Math.max(ctx.commandTimeoutMs, 60_000));
    note(ctx, 'initramfs', { status: 'read', path: found.image });
    return info;
  } catch (err) {
    note(ctx, 'initramfs', deniedRecord(found.image, err, (err as Error).message));
    return null;
  }
}

/**
 * Records the running kernel's image without decompressing it, for when nothing asks what is inside:
 * whether it is there and could be opened, as a read would have found.
 */
export function noteInitramfsNotRead(ctx: CollectContext, release: string | null, kernels: InstalledKernel[], why: string): void {
  const found = runningImage(ctx, release, kernels);
  if (!found) return;
  try {
    fs.closeSync(fs.openSync(found.local, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK));
    note(ctx, 'initramfs', { status: 'absent', path: found.image, message: `not read: ${why}` });
  } catch (err) {
    note(ctx, 'initramfs', deniedRecord(found.image, err, (err as Error).message));
  }
}
