// initramfs-tools (Debian, Ubuntu, Proxmox): update-initramfs and mkinitramfs messages, and the "W:"/"E:"
// lines its hooks print.
import { toolRecogniser, type ToolPatterns } from '../tool-line.js';

export const UPDATE_INITRAMFS_LINES: ToolPatterns = {
  tool: 'update-initramfs',
  lines: [
    /^update-initramfs: /,
    /^mkinitramfs: /,
    /^[WEI]: .*(?:initramfs|firmware|module|hook|resume|fsck|\/lib\/modules)/i,
    /^run-parts: .*initramfs/,
  ],
};

export const updateInitramfs = toolRecogniser('update-initramfs', 'update-initramfs / mkinitramfs output', /^(?:update-initramfs|mkinitramfs)\b/, UPDATE_INITRAMFS_LINES);
