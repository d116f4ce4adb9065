import type { Snapshot } from '../../snapshot/types.js';
import { sh } from '../shell.js';

/** How this host regenerates its initramfs for every installed kernel. */
export function rebuildInitramfsCommand(snap: Snapshot): string {
  const family = snap.host.osRelease?.family ?? 'other';
  const t = snap.boot.tools;
  if (family === 'debian' || family === 'proxmox' || t.updateInitramfs) return 'update-initramfs -u -k all';
  if (family === 'arch' || t.mkinitcpio) return 'mkinitcpio -P';
  if (family === 'fedora' || family === 'rhel' || family === 'suse' || t.dracut) return 'dracut -f --regenerate-all';
  return 'update-initramfs -u -k all   # or: dracut -f --regenerate-all / mkinitcpio -P';
}

/** Where the early-boot module list lives, and the line that loads the VFIO modules there. */
export function earlyVfioModulesStep(snap: Snapshot, modules: string[]): string[] {
  const family = snap.host.osRelease?.family ?? 'other';
  const t = snap.boot.tools;
  if (family === 'debian' || family === 'proxmox' || t.updateInitramfs) {
    return [sh`printf '%s\\n' ${modules} >> /etc/initramfs-tools/modules`];
  }
  if (family === 'arch' || t.mkinitcpio) return [sh`# in /etc/mkinitcpio.conf: MODULES=(${modules} ...)`];
  return [sh`echo 'force_drivers+=" ${modules} "' > /etc/dracut.conf.d/vfio.conf`];
}
