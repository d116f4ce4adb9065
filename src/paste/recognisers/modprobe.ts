// modprobe / insmod / systemd-modules-load errors ("modprobe: FATAL: Module vfio_virqfd not found in
// directory /lib/modules/6.2.16-3-pve", "Failed to insert module 'vendor_reset': Key was rejected by service").
import { toolRecogniser, type ToolPatterns } from '../tool-line.js';

export const MODPROBE_LINES: ToolPatterns = {
  tool: 'modprobe',
  lines: [
    /^(?:modprobe|insmod|rmmod|depmod|kmod|libkmod)(?:\[\d+\])?: /,
    /^(?:systemd-modules-load(?:\[\d+\])?: )?Failed to (?:find|insert|load) module /,
    /^Module \S+ not found in directory /,
  ],
};

export const modprobe = toolRecogniser('modprobe', 'modprobe / systemd-modules-load errors', /^(?:modprobe|insmod|systemctl\s+status\s+systemd-modules-load)\b/, MODPROBE_LINES);
