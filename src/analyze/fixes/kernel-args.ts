import type { Snapshot } from '../../snapshot/types.js';
import { tokenizeCmdline, normaliseParamName } from '../../parse/cmdline.js';
import { sh } from '../shell.js';

// The exact steps to change the kernel command line of the next boot, for the boot loader this host
// uses. Where the current value is known, the new value is spelled out in full.

export interface ArgChange {
  add?: string[];
  /** Parameter names (or exact key=value tokens) to drop. */
  remove?: string[];
}

function apply(current: string, change: ArgChange): string {
  const removeKeys = (change.remove ?? []).map((r) => (r.includes('=') ? r : normaliseParamName(r)));
  const addKeys = new Set((change.add ?? []).map((a) => normaliseParamName(a.split('=')[0]!)));
  const kept = tokenizeCmdline(current).filter((t) => {
    const k = normaliseParamName(t.key);
    return !removeKeys.includes(t.raw) && !removeKeys.includes(k) && !addKeys.has(k);
  });
  return [...kept.map((t) => t.raw), ...(change.add ?? [])].join(' ').trim();
}

function describe(change: ArgChange): string {
  const parts: string[] = [];
  if (change.add?.length) parts.push(`add ${change.add.join(' ')}`);
  if (change.remove?.length) parts.push(`remove ${change.remove.join(' ')}`);
  return parts.join(', ');
}

export function kernelArgCommands(snap: Snapshot, change: ArgChange): string[] {
  const boot = snap.boot;
  const family = snap.host.osRelease?.family ?? 'other';
  const what = describe(change);
  if (boot.loader === 'proxmox-boot-tool' || (boot.loader === 'systemd-boot' && boot.kernelCmdline !== null)) {
    const next = apply(boot.kernelCmdline ?? '', change);
    const refresh = boot.loader === 'proxmox-boot-tool' ? 'proxmox-boot-tool refresh' : 'kernel-install add "$(uname -r)" "/lib/modules/$(uname -r)/vmlinuz"';
    return [sh`# /etc/kernel/cmdline is one line; ${what}:`, sh`echo '${next}' > /etc/kernel/cmdline`, refresh, 'reboot'];
  }
  if (boot.loader === 'kernelstub') {
    return [...(change.add ?? []).map((a) => sh`kernelstub -a "${a}"`), ...(change.remove ?? []).map((r) => sh`kernelstub -d "${r}"`), 'reboot'];
  }
  if (family === 'fedora' || family === 'rhel' || boot.tools.grubby) {
    const remove = change.remove?.length ? change.remove : null;
    const add = change.add?.length ? change.add : null;
    const line = remove && add
      ? sh`grubby --update-kernel=ALL --remove-args="${remove}" --args="${add}"`
      : remove
        ? sh`grubby --update-kernel=ALL --remove-args="${remove}"`
        : sh`grubby --update-kernel=ALL --args="${add ?? []}"`;
    return [line, 'reboot'];
  }
  if (boot.loader === 'grub' || boot.grubDefault) {
    const g = boot.grubDefault;
    const current = g?.cmdlineLinuxDefault ?? '';
    const next = apply(current, change);
    const regen =
      family === 'debian' || family === 'proxmox' || boot.tools.updateGrub
        ? 'update-grub'
        : family === 'suse' || boot.tools.grub2Mkconfig
          ? 'grub2-mkconfig -o /boot/grub2/grub.cfg'
          : 'grub-mkconfig -o /boot/grub/grub.cfg';
    const extra = g && g.cmdlineLinux && change.remove?.some((r) => g.cmdlineLinux!.includes(r.split('=')[0]!))
      ? [sh`# also check GRUB_CMDLINE_LINUX="${g.cmdlineLinux}" in ${g.file}`]
      : [];
    return [sh`# in ${g?.file ?? '/etc/default/grub'}, ${what}:`, sh`GRUB_CMDLINE_LINUX_DEFAULT="${next}"`, ...extra, regen, 'reboot'];
  }
  if (boot.blsEntries.length > 0) {
    return [sh`# ${what} on the "options" line of each entry in ${boot.blsEntries[0]!.file.replace(/\/[^/]+$/, '/')}`, 'reboot'];
  }
  return [sh`# ${what} on the kernel command line in your boot loader's configuration`, 'reboot'];
}
