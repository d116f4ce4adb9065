// What a guest boot needs from Debian: the kernels (the same packages the real-kernel preflight test
// downloads, kept in the same cache), unpacked once with dpkg-deb and indexed with depmod, and the static
// busybox that runs the guest's init. apt decides which versions exist: nothing here pins a version.

import fs from 'node:fs';
import path from 'node:path';
import { run } from '../../initramfs/support/tools.js';
import { DEFAULT_KERNEL_CACHE, fetchKernel, type KERNEL_META } from '../../preflight/support/real-kernels.js';

export type Series = keyof typeof KERNEL_META;

export interface GuestKernel {
  series: Series;
  version: string;
  package: string;
  /** Root of the unpacked package: boot/vmlinuz-VERSION, lib/modules/VERSION (with modules.dep). */
  tree: string;
  vmlinuz: string;
  config: string;
  modules: string;
}

export function cacheDir(): string {
  return process.env['VFIO_DOCTOR_KERNEL_CACHE'] ?? DEFAULT_KERNEL_CACHE;
}

/** Unpacks a .deb into dir once; a marker written last says the unpack finished. */
async function unpackOnce(deb: string, dir: string, after?: () => Promise<void>): Promise<void> {
  const marker = path.join(dir, '.unpacked');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === path.basename(deb)) return;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  await run('dpkg-deb', ['-x', deb, dir], { timeoutMs: 300_000 });
  if (after) await after();
  fs.writeFileSync(marker, path.basename(deb));
}

export async function guestKernel(series: Series): Promise<GuestKernel> {
  const cache = cacheDir();
  const k = await fetchKernel(series, cache);
  const tree = path.join(cache, 'unpacked', k.package);
  await unpackOnce(k.deb, tree, async () => {
    await run('depmod', ['-b', tree, k.version], { timeoutMs: 300_000 });
  });
  return {
    series,
    version: k.version,
    package: k.package,
    tree,
    vmlinuz: path.join(tree, 'boot', `vmlinuz-${k.version}`),
    config: path.join(tree, 'boot', `config-${k.version}`),
    modules: path.join(tree, 'lib', 'modules', k.version),
  };
}

/** The static busybox of Debian's busybox-static package (installing that package would remove busybox). */
export async function staticBusybox(): Promise<string> {
  const cache = cacheDir();
  fs.mkdirSync(cache, { recursive: true });
  const find = () => fs.readdirSync(cache).find((f) => f.startsWith('busybox-static_') && f.endsWith('.deb'));
  if (!find()) await run('apt-get', ['download', 'busybox-static'], { cwd: cache, timeoutMs: 600_000 });
  const deb = find();
  if (!deb) throw new Error(`apt-get download busybox-static left no .deb in ${cache}`);
  const dir = path.join(cache, 'unpacked', 'busybox-static');
  await unpackOnce(path.join(cache, deb), dir);
  return path.join(dir, 'bin', 'busybox');
}

/** Module file names of the closure of `names` in dependency order (dependencies first), from modules.dep. */
export function moduleClosure(modulesDir: string, names: string[]): string[] {
  const deps = new Map<string, string[]>();
  for (const line of fs.readFileSync(path.join(modulesDir, 'modules.dep'), 'utf8').split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    deps.set(line.slice(0, colon), line.slice(colon + 1).trim().split(/\s+/).filter(Boolean));
  }
  const byName = new Map<string, string>();
  for (const file of deps.keys()) byName.set(path.basename(file).replace(/\.ko(\.[a-z0-9]+)?$/, '').replace(/-/g, '_'), file);
  const order: string[] = [];
  const visit = (file: string) => {
    if (order.includes(file)) return;
    // modules.dep lists every (transitive) dependency; load them deepest first.
    for (const d of [...(deps.get(file) ?? [])].reverse()) visit(d);
    order.push(file);
  };
  for (const n of names) {
    const file = byName.get(n.replace(/-/g, '_'));
    // Built in on this kernel (modules.builtin): nothing to load.
    if (file) visit(file);
  }
  return order;
}
