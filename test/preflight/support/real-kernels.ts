// Real Debian kernels for the preflight test: downloaded once with apt-get into a cache, unpacked into a
// fixture host root with dpkg-deb (as the package would install them), indexed with depmod, and given
// initramfs images built by the real mkinitramfs.
//
// mkinitramfs reads /lib/modules/VERSION, /boot/config-VERSION and /etc/modprobe.d of the machine it
// runs on. This file therefore re-runs itself under `unshare --mount` and, in that private namespace
// only, mounts the fixture's directories over those paths. Nothing on the machine itself changes.

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../initramfs/support/tools.js';

/** Where downloaded .deb files are kept between runs (VFIO_DOCTOR_KERNEL_CACHE overrides it). */
export const DEFAULT_KERNEL_CACHE = '/var/cache/vfio-doctor-test';

/** Debian meta packages that name the current 6.1 (bookworm) and 6.12 (bookworm-security/backports) kernels. */
export const KERNEL_META = { '6.1': 'linux-image-amd64', '6.12': 'linux-image-6.12-amd64' } as const;

export interface RealKernel {
  package: string;
  deb: string;
  version: string;
}

/** The concrete linux-image-VERSION package a meta package depends on. */
async function concretePackage(meta: string, series: string): Promise<string> {
  const { stdout } = await run('apt-cache', ['depends', meta], { timeoutMs: 60_000 });
  const re = new RegExp(`Depends: (linux-image-${series.replace('.', '\\.')}[.\\-][^\\s<>]*)`);
  const m = re.exec(stdout.toString('utf8'));
  if (!m) throw new Error(`apt-cache depends ${meta} names no linux-image-${series} package; is the apt source configured?`);
  return m[1]!;
}

export async function fetchKernel(series: keyof typeof KERNEL_META, cache: string): Promise<RealKernel> {
  fs.mkdirSync(cache, { recursive: true });
  const pkg = await concretePackage(KERNEL_META[series], series);
  const find = () => fs.readdirSync(cache).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  if (!find()) await run('apt-get', ['download', pkg], { cwd: cache, timeoutMs: 900_000 });
  const deb = find();
  if (!deb) throw new Error(`apt-get download ${pkg} left no .deb in ${cache}`);
  return { package: pkg, deb: path.join(cache, deb), version: pkg.replace(/^linux-image-/, '') };
}

/** Installs the kernel's files into a host root the way dpkg would, then generates modules.* with depmod. */
export async function installKernel(k: RealKernel, root: string): Promise<void> {
  await run('dpkg-deb', ['-x', k.deb, root], { timeoutMs: 300_000 });
  await run('depmod', ['-b', root, k.version], { timeoutMs: 300_000 });
}

export interface RealImageSpec {
  hostRoot: string;
  version: string;
  workDir: string;
  output: string;
  /** Lines of the initramfs-tools "modules" file (module names to include and load early). */
  modules: string[];
  /** Content of the modprobe.d/vfio.conf copied into the image; null for none. */
  modprobe: string | null;
  /** initramfs-tools' MODULES= policy (default "list"); "most" gives the full-size image distributions ship. */
  policy?: 'list' | 'most';
}

const INSIDE = '--inside-private-mounts';

function prepare(spec: RealImageSpec): void {
  const conf = path.join(spec.workDir, 'conf');
  for (const d of ['hooks', 'scripts', 'conf.d']) fs.mkdirSync(path.join(conf, d), { recursive: true });
  // MODULES=list: only the listed modules and their dependencies, so the test controls what competes.
  fs.writeFileSync(path.join(conf, 'initramfs.conf'), `MODULES=${spec.policy ?? 'list'}\nBUSYBOX=auto\nKEYMAP=n\nCOMPRESS=zstd\nDEVICE=\nNFSROOT=auto\nRUNSIZE=10%\nFSTYPE=auto\n`);
  fs.writeFileSync(path.join(conf, 'modules'), spec.modules.map((m) => `${m}\n`).join(''));
  const modprobe = path.join(spec.workDir, 'modprobe.d');
  fs.mkdirSync(modprobe, { recursive: true });
  if (spec.modprobe !== null) fs.writeFileSync(path.join(modprobe, 'vfio.conf'), spec.modprobe);
  fs.mkdirSync(path.join(spec.workDir, 'scratch'), { recursive: true });
}

export async function buildRealImage(spec: RealImageSpec): Promise<void> {
  prepare(spec);
  await run('unshare', ['--mount', '--propagation', 'private', '--', process.execPath, fileURLToPath(import.meta.url), INSIDE, JSON.stringify(spec)], { timeoutMs: 600_000 });
}

function mount(args: string[]): void {
  execFileSync('mount', args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

function insideNamespace(spec: RealImageSpec): number {
  const scratch = path.join(spec.workDir, 'scratch');
  mount(['-t', 'tmpfs', 'tmpfs', scratch]);
  const lib = fs.realpathSync('/lib');
  const modules = path.join(lib, 'modules');
  // A container may have no /lib/modules at all; an overlay lets one appear in this namespace only.
  if (!fs.existsSync(modules)) {
    for (const d of ['upper', 'work']) fs.mkdirSync(path.join(scratch, d));
    mount(['-t', 'overlay', 'overlay', '-o', `lowerdir=${lib},upperdir=${scratch}/upper,workdir=${scratch}/work`, lib]);
    fs.mkdirSync(modules);
  }
  mount(['--bind', path.join(spec.hostRoot, 'lib', 'modules'), modules]);
  mount(['--bind', path.join(spec.hostRoot, 'boot'), '/boot']);
  mount(['--bind', path.join(spec.workDir, 'modprobe.d'), '/etc/modprobe.d']);
  const tmp = path.join(scratch, 'tmp');
  fs.mkdirSync(tmp);
  const r = spawnSync('mkinitramfs', ['-d', path.join(spec.workDir, 'conf'), '-o', spec.output, spec.version], {
    env: { ...process.env, TMPDIR: tmp, PATH: `${process.env['PATH'] ?? '/usr/bin:/bin'}:/usr/sbin:/sbin` },
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 540_000,
  });
  if (r.status !== 0) {
    process.stderr.write(r.stderr ?? '');
    process.stderr.write(`mkinitramfs failed: ${r.error?.message ?? `status ${r.status}`}\n`);
    return 1;
  }
  return 0;
}

if (process.argv[2] === INSIDE && process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = insideNamespace(JSON.parse(process.argv[3]!) as RealImageSpec);
}
