// The command line the next kernel will boot with. Boot loaders keep it in different places, and the
// entry written for the new kernel is what counts, not /proc/cmdline of the running one.

import type { HostFs } from '../collect/host-fs.js';
import type { Snapshot } from '../snapshot/types.js';
import type { NextCmdline } from './types.js';

const GRUB_CFGS = ['/boot/grub/grub.cfg', '/boot/grub2/grub.cfg', '/boot/efi/EFI/fedora/grub.cfg'];

/** Arguments of the first "linux" line in grub.cfg that boots this version's image. */
function fromGrubCfg(hfs: HostFs, version: string): NextCmdline | null {
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const line = new RegExp(`^\\s*linux(?:efi|16)?\\s+\\S*vmlinuz-${escaped}(?:\\s+(.*))?$`);
  for (const file of GRUB_CFGS) {
    const r = hfs.readText(file, 8 << 20);
    if (!r.ok) continue;
    const lines = r.value.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const m = line.exec(lines[i]!);
      // The root= and BOOT_IMAGE parts are kept: they are harmless for the checks and show what grub passes.
      if (m) return { raw: (m[1] ?? '').trim(), source: `${file}:${i + 1}`, specific: true };
    }
  }
  return null;
}

/** Fedora/RHEL BLS entries may say "options $kernelopts"; grub fills it from grubenv. */
function expandKernelopts(hfs: HostFs, options: string): string {
  if (!options.includes('$kernelopts')) return options;
  for (const env of ['/boot/grub2/grubenv', '/boot/grub/grubenv']) {
    const r = hfs.readText(env);
    const m = r.ok ? /^kernelopts=(.*)$/m.exec(r.value) : null;
    if (m) return options.replace('$kernelopts', m[1]!.trim());
  }
  return options;
}

function fromBls(hfs: HostFs, snap: Snapshot, version: string): NextCmdline | null {
  const entry = snap.boot.blsEntries.find((e) => e.version === version || (e.linux ?? '').endsWith(`vmlinuz-${version}`));
  if (!entry || entry.options === null) return null;
  return { raw: expandKernelopts(hfs, entry.options), source: entry.file, specific: true };
}

function fromGrubDefault(snap: Snapshot): NextCmdline | null {
  const g = snap.boot.grubDefault;
  if (!g) return null;
  const raw = [g.cmdlineLinux ?? '', g.cmdlineLinuxDefault ?? ''].join(' ').trim();
  return { raw, source: `${g.file} (GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT)`, specific: true };
}

export function nextCmdline(hfs: HostFs, snap: Snapshot, version: string): NextCmdline {
  const boot = snap.boot;
  // proxmox-boot-tool, kernel-install and kernelstub write one command line for every kernel.
  if (boot.loader === 'proxmox-boot-tool' || boot.loader === 'kernelstub' || (boot.loader === 'systemd-boot' && boot.kernelCmdline !== null && fromBls(hfs, snap, version) === null)) {
    if (boot.kernelCmdline !== null) {
      const source = boot.loader === 'kernelstub' ? '/etc/kernelstub/configuration (user.kernel_options)' : '/etc/kernel/cmdline';
      return { raw: boot.kernelCmdline, source, specific: true };
    }
  }
  const found = fromBls(hfs, snap, version) ?? fromGrubCfg(hfs, version) ?? fromGrubDefault(snap);
  if (found) return found;
  if (boot.kernelCmdline !== null) return { raw: boot.kernelCmdline, source: '/etc/kernel/cmdline', specific: true };
  return { raw: snap.host.cmdline?.raw ?? '', source: '/proc/cmdline (running kernel; no boot entry found for the new one)', specific: false };
}
