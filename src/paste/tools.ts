// Which tool a message belongs to, for lines that arrive wrapped in something else: a journal line of
// another program, a JSON or logfmt record, a dmesg --time-format=iso stamp in front of a QEMU line.
import type { ToolName } from '../snapshot/types.js';
import { matchesTool, type ToolPatterns } from './tool-line.js';
import { QEMU_LINES } from './recognisers/qemu.js';
import { LIBVIRT_LINES } from './recognisers/libvirt.js';
import { PROXMOX_LINES } from './recognisers/proxmox.js';
import { KUBEVIRT_LINES } from './recognisers/kubevirt.js';
import { DPDK_LINES } from './recognisers/dpdk.js';
import { CLOUD_HYPERVISOR_LINES } from './recognisers/cloud-hypervisor.js';
import { DRACUT_LINES } from './recognisers/dracut.js';
import { MKINITCPIO_LINES } from './recognisers/mkinitcpio.js';
import { UPDATE_INITRAMFS_LINES } from './recognisers/update-initramfs.js';
import { MODPROBE_LINES } from './recognisers/modprobe.js';
import { DKMS_LINES } from './recognisers/dkms.js';
import { MODULE_SIGNING_LINES } from './recognisers/module-signing.js';
import { SHELL_LINES } from './recognisers/shell-errors.js';

export const TOOL_PATTERNS: ToolPatterns[] = [
  QEMU_LINES,
  LIBVIRT_LINES,
  PROXMOX_LINES,
  KUBEVIRT_LINES,
  DPDK_LINES,
  CLOUD_HYPERVISOR_LINES,
  DRACUT_LINES,
  MKINITCPIO_LINES,
  UPDATE_INITRAMFS_LINES,
  MODPROBE_LINES,
  DKMS_LINES,
  MODULE_SIGNING_LINES,
  SHELL_LINES,
];

export function classifyTool(message: string): ToolName | null {
  for (const p of TOOL_PATTERNS) if (matchesTool(p, message)) return p.tool;
  return null;
}

// Journal identifiers of the programs whose lines matter, by the tool they belong to.
const IDENTS: [RegExp, ToolName][] = [
  [/^(?:qemu-system-[\w-]+|qemu-kvm|kvm)$/, 'qemu'],
  [/^(?:libvirtd|virtqemud|virtnodedevd|virtproxyd|virsh)$/, 'libvirt'],
  [/^(?:pvedaemon|pveproxy|qmeventd|pvestatd|pve-guests|pvesh|qm|pve-ha-lrm|pvescheduler)$/, 'proxmox'],
  [/^(?:virt-launcher|virt-handler|virt-controller|kubelet|containerd|crio)$/, 'kubevirt'],
  [/^(?:dracut|dracut-install)$/, 'dracut'],
  [/^mkinitcpio$/, 'mkinitcpio'],
  [/^(?:update-initramfs|mkinitramfs)$/, 'update-initramfs'],
  [/^(?:systemd-modules-load|modprobe|kmod)$/, 'modprobe'],
  [/^dkms$/, 'dkms'],
  [/^cloud-hypervisor$/, 'cloud-hypervisor'],
];

export function toolOfIdent(ident: string): ToolName | null {
  const name = ident.replace(/\[\d+\]$/, '');
  for (const [re, tool] of IDENTS) if (re.test(name)) return tool;
  return null;
}

/** Words that make a line from some other program worth keeping. */
export const PASSTHROUGH_WORDS = /vfio|iommu|IOMMU|DMAR|AMD-Vi|passthrough|pass-through|hostdev|hostpci|pci_0000|[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]|memlock|MEMLOCK|vendor[-_]reset|Secure ?Boot|signature|initramfs/;
