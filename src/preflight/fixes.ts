// Commands that change what the next kernel boots with. They name the new kernel's version, so the
// running kernel's image is left alone.

import type { Snapshot } from '../snapshot/types.js';
import { sh } from '../analyze/shell.js';

export function rebuildImageFor(snap: Snapshot, version: string): string {
  const family = snap.host.osRelease?.family ?? 'other';
  const t = snap.boot.tools;
  if (family === 'debian' || family === 'proxmox' || t.updateInitramfs) return sh`update-initramfs -u -k ${version}`;
  if (family === 'arch' || t.mkinitcpio) return 'mkinitcpio -P';
  if (family === 'fedora' || family === 'rhel' || family === 'suse' || t.dracut) return sh`dracut -f --kver ${version}`;
  return sh`update-initramfs -u -k ${version}   # or: dracut -f --kver ${version} / mkinitcpio -P`;
}

/** The VFIO modules an initramfs needs for this kernel generation. */
export function vfioModuleList(major: number, minor: number): string[] {
  const beforeMerge = major < 6 || (major === 6 && minor < 2);
  return ['vfio', 'vfio_iommu_type1', 'vfio_pci', ...(beforeMerge ? ['vfio_virqfd'] : [])];
}
