// Builds real images with initramfs-tools' mkinitramfs for a made-up kernel version without touching the
// host: mkinitramfs insists on /lib/modules/VERSION and /boot/config-VERSION, so this file re-runs itself
// under `unshare --mount` and, inside that private namespace only, mounts a small fake module tree, a fake
// kernel config and a test modprobe.d over the real locations. The namespace ends with the process.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { run } from './tools.js';

export const FAKE_KERNEL_VERSION = '6.1.0-vfio-doctor-test';

/** Files the sandbox puts in place, so tests can check they come back out of the image intact. */
export const SANDBOX_FILES = {
  modprobeConf: 'options vfio-pci ids=10de:1e87,10de:10f8 disable_vga=1\nsoftdep nouveau pre: vfio-pci\n',
  modulesBuiltin: 'kernel/drivers/vfio/vfio.ko\nkernel/drivers/vfio/vfio_iommu_type1.ko\n',
  earlyMicrocode: { GenuineIntel: 'not really Intel microcode\n', AuthenticAMD: 'not really AMD microcode\n' },
};

const RUN_INSIDE = '--inside-mount-namespace';

export interface SandboxSpec {
  workDir: string;
  output: string;
  /** The COMPRESS= value written to the private initramfs.conf. */
  compress: string;
  /** COMPRESSLEVEL=, to keep the slow compressors (xz, bzip2) quick in tests. */
  level?: number;
  /** Prepend two uncompressed early-microcode archives, as intel-microcode and amd64-microcode hooks do. */
  earlyArchives: boolean;
}

// An initramfs-tools hook: builds each early archive with cpio and hands it to prepend_earlyinitramfs.
const EARLY_HOOK = `#!/bin/sh
set -e
case "$1" in prereqs) exit 0 ;; esac
. /usr/share/initramfs-tools/hook-functions
for vendor in GenuineIntel AuthenticAMD; do
	tree="$(mktemp -d "\${TMPDIR:-/var/tmp}/early_XXXXXX")"
	mkdir -p "$tree/kernel/x86/microcode"
	cp "$EARLY_SOURCE/$vendor.bin" "$tree/kernel/x86/microcode/$vendor.bin"
	(cd "$tree" && find . | LC_ALL=C sort | cpio --quiet -o -H newc) > "$tree.cpio"
	prepend_earlyinitramfs "$tree.cpio"
	rm -rf "$tree" "$tree.cpio"
done
`;

function prepare(spec: SandboxSpec): void {
  const w = spec.workDir;
  const modules = path.join(w, 'modules', FAKE_KERNEL_VERSION);
  mkdirSync(modules, { recursive: true });
  writeFileSync(path.join(modules, 'modules.builtin'), SANDBOX_FILES.modulesBuiltin);
  writeFileSync(path.join(modules, 'modules.order'), '');
  mkdirSync(path.join(w, 'boot'), { recursive: true });
  // Every CONFIG_RD_* on, so mkinitramfs keeps the compression it was asked for.
  const config = ['GZIP', 'BZIP2', 'LZMA', 'XZ', 'LZO', 'LZ4', 'ZSTD'].map((c) => `CONFIG_RD_${c}=y\n`).join('');
  writeFileSync(path.join(w, 'boot', `config-${FAKE_KERNEL_VERSION}`), config);
  mkdirSync(path.join(w, 'modprobe.d'), { recursive: true });
  writeFileSync(path.join(w, 'modprobe.d', 'vfio.conf'), SANDBOX_FILES.modprobeConf);

  const conf = path.join(w, 'conf');
  for (const dir of ['hooks', 'scripts', 'conf.d']) mkdirSync(path.join(conf, dir), { recursive: true });
  writeFileSync(
    path.join(conf, 'initramfs.conf'),
    `MODULES=most\nBUSYBOX=auto\nKEYMAP=n\nCOMPRESS=${spec.compress}\nDEVICE=\nNFSROOT=auto\nRUNSIZE=10%\nFSTYPE=auto\n` +
      (spec.level === undefined ? '' : `COMPRESSLEVEL=${spec.level}\n`),
  );
  // Listed modules end up in conf/modules inside the image even when the module itself is absent.
  writeFileSync(path.join(conf, 'modules'), 'vfio-pci\n');
  if (spec.earlyArchives) {
    const early = path.join(w, 'early');
    mkdirSync(early, { recursive: true });
    for (const [vendor, text] of Object.entries(SANDBOX_FILES.earlyMicrocode)) {
      writeFileSync(path.join(early, `${vendor}.bin`), text);
    }
    writeFileSync(path.join(conf, 'hooks', 'early-microcode'), EARLY_HOOK);
    chmodSync(path.join(conf, 'hooks', 'early-microcode'), 0o755);
  }
  mkdirSync(path.join(w, 'scratch'), { recursive: true });
}

/** Runs mkinitramfs for the fake kernel in a private mount namespace; resolves once `spec.output` is written. */
export async function buildWithMkinitramfs(spec: SandboxSpec): Promise<void> {
  prepare(spec);
  const self = fileURLToPath(import.meta.url);
  await run(
    'unshare',
    ['--mount', '--propagation', 'private', '--', process.execPath, self, RUN_INSIDE, JSON.stringify(spec)],
    { timeoutMs: 300_000 },
  );
}

function mount(args: string[]): void {
  execFileSync('mount', args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Runs inside the namespace: every mount below is invisible to the host and gone when this process exits. */
function insideNamespace(spec: SandboxSpec): number {
  const w = spec.workDir;
  const scratch = path.join(w, 'scratch');
  // tmpfs gives overlayfs an upper directory it accepts even when the work dir is itself on overlayfs.
  mount(['-t', 'tmpfs', 'tmpfs', scratch]);
  const libDir = realpathSync('/lib');
  const modulesDir = path.join(libDir, 'modules');
  if (!existsSync(modulesDir)) {
    for (const dir of ['upper', 'work']) mkdirSync(path.join(scratch, dir));
    const options = `lowerdir=${libDir},upperdir=${path.join(scratch, 'upper')},workdir=${path.join(scratch, 'work')}`;
    mount(['-t', 'overlay', 'overlay', '-o', options, libDir]);
    mkdirSync(modulesDir);
  }
  mount(['--bind', path.join(w, 'modules'), modulesDir]);
  for (const [source, target] of [
    ['boot', '/boot'],
    ['modprobe.d', '/etc/modprobe.d'],
  ] as const) {
    if (!existsSync(target)) throw new Error(`${target} does not exist on this host; cannot mount the test copy over it`);
    mount(['--bind', path.join(w, source), target]);
  }
  const tmp = path.join(scratch, 'tmp');
  mkdirSync(tmp);
  const result = spawnSync(
    'mkinitramfs',
    ['-d', path.join(w, 'conf'), '-o', spec.output, FAKE_KERNEL_VERSION],
    {
      env: { ...process.env, TMPDIR: tmp, EARLY_SOURCE: path.join(w, 'early'), PATH: `${process.env.PATH}:/usr/sbin:/sbin` },
      stdio: ['ignore', 'inherit', 'pipe'],
      timeout: 240_000,
    },
  );
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    process.stderr.write(`mkinitramfs failed: ${result.error?.message ?? `status ${result.status}`}\n`);
    return 1;
  }
  return 0;
}

// Only the explicit flag runs the namespace part, so loading this file (a test runner may) does nothing.
if (process.argv[2] === RUN_INSIDE && process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = insideNamespace(JSON.parse(process.argv[3]!) as SandboxSpec);
}
