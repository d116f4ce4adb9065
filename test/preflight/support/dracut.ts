// dracut-core for the real-kernel preflight test, without installing it: the Debian package conflicts with
// initramfs-tools (through the `dracut` package), so it is downloaded with apt-get into the kernel cache,
// unpacked with dpkg-deb into the test's work directory, and its scripts are run with bash and
// dracutbasedir pointing into the unpacked tree.
//
// dracut needs no private mount namespace: --kmoddir names the fixture's modules directory, --conf and
// --confdir keep it off the host's /etc/dracut.conf{,.d}, --no-hostonly keeps it off the host's
// /etc/modprobe.d and devices, and the modprobe.d file under test goes in with --include. The programs it
// copies into the image (bash, kmod, udev rules...) still come from this machine, as they would on a host.

import fs from 'node:fs';
import path from 'node:path';
import { run } from '../../initramfs/support/tools.js';

export interface Dracut {
  /** The unpacked package's root; usr/bin/dracut and usr/lib/dracut live under it. */
  root: string;
  deb: string;
}

/** Downloads dracut-core into `cache` once, and unpacks it under `work`. */
export async function fetchDracut(cache: string, work: string): Promise<Dracut> {
  fs.mkdirSync(cache, { recursive: true });
  const find = () => fs.readdirSync(cache).find((f) => f.startsWith('dracut-core_') && f.endsWith('.deb'));
  if (!find()) await run('apt-get', ['download', 'dracut-core'], { cwd: cache, timeoutMs: 300_000 });
  const deb = find();
  if (!deb) throw new Error(`apt-get download dracut-core left no .deb in ${cache}`);
  const root = path.join(work, 'dracut-core');
  fs.mkdirSync(root, { recursive: true });
  await run('dpkg-deb', ['-x', path.join(cache, deb), root], { timeoutMs: 120_000 });
  return { root, deb: path.join(cache, deb) };
}

function env(d: Dracut): NodeJS.ProcessEnv {
  return {
    ...process.env,
    dracutbasedir: path.join(d.root, 'usr/lib/dracut'),
    PATH: `${process.env['PATH'] ?? '/usr/bin:/bin'}:/usr/sbin:/sbin`,
  };
}

export interface DracutImageSpec {
  /** The directory holding modules.* for the kernel, e.g. HOSTROOT/lib/modules/VERSION. */
  kmoddir: string;
  version: string;
  workDir: string;
  output: string;
  /** Kernel modules for --add-drivers (with their dependencies). */
  drivers: string[];
  /** Content of the etc/modprobe.d/vfio.conf put into the image; null for none. */
  modprobe: string | null;
}

/** Builds a zstd image with only dracut's "base" module and the given drivers. */
export async function buildDracutImage(d: Dracut, spec: DracutImageSpec): Promise<void> {
  const confdir = path.join(spec.workDir, 'dracut.conf.d');
  const tmp = path.join(spec.workDir, 'tmp');
  fs.mkdirSync(confdir, { recursive: true });
  fs.mkdirSync(tmp, { recursive: true });
  const conf = path.join(spec.workDir, 'dracut.conf');
  fs.writeFileSync(conf, '');
  const args = [
    path.join(d.root, 'usr/bin/dracut'),
    '--conf', conf,
    '--confdir', confdir,
    '--tmpdir', tmp,
    '--no-hostonly',
    '--no-early-microcode',
    '-m', 'base',
    '--zstd',
    '--kver', spec.version,
    '--kmoddir', spec.kmoddir,
    '--add-drivers', spec.drivers.join(' '),
  ];
  if (spec.modprobe !== null) {
    const file = path.join(spec.workDir, 'vfio.conf');
    fs.writeFileSync(file, spec.modprobe);
    args.push('--include', file, '/etc/modprobe.d/vfio.conf');
  }
  args.push('--force', spec.output);
  await run('bash', args, { env: env(d), timeoutMs: 600_000 });
}

/** The member names `lsinitrd IMAGE` lists (its `ls -l`-like lines; symlink targets dropped), in its order. */
export async function lsinitrd(d: Dracut, image: string): Promise<string[]> {
  const { stdout } = await run('bash', [path.join(d.root, 'usr/bin/lsinitrd'), image], { env: env(d), timeoutMs: 120_000 });
  const names: string[] = [];
  for (const line of stdout.toString('utf8').split('\n')) {
    if (!/^[-dlcbps][-rwxsStT]{9}\s/.test(line)) continue;
    const fields = line.trim().split(/\s+/);
    // perms, links, user, group, size (a device's "major, minor" takes two fields), month, day, time|year.
    const skip = /^[cb]/.test(line) && fields[4]!.endsWith(',') ? 9 : 8;
    let name = fields.slice(skip).join(' ');
    if (line.startsWith('l')) name = name.replace(/ -> .*$/, '');
    names.push(name);
  }
  return names;
}
