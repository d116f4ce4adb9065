// Proxmox VE task and daemon output about PCI passthrough (qm start, the web UI task log).
import { toolRecogniser, type ToolPatterns } from '../tool-line.js';

export const PROXMOX_LINES: ToolPatterns = {
  tool: 'proxmox',
  lines: [
    /^TASK (?:ERROR|WARNINGS|OK)\b/,
    /cannot prepare PCI pass-through, IOMMU not present/,
    /^no PCI device found for '/,
    /^failed to reset PCI device '/,
    /^error writing '[^']*' to '\/sys\/bus\/pci\//,
    /^(?:start|stop) failed: /,
    /^PCI device '[^']*' already in use/,
    /^(?:pvedaemon|pveproxy|qmeventd|pvestatd|pve-guests|pvesh|qm|pve-ha-lrm)(?:\[\d+\])?: /,
  ],
};

export const proxmox = toolRecogniser('proxmox', 'Proxmox VE task errors', /^(?:qm|pvesh)\b|\/var\/log\/pve/, PROXMOX_LINES);
