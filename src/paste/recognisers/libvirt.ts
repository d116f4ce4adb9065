// libvirt as virsh reports it ("error: Failed to detach device pci_0000_01_00_0") and as libvirtd /
// virtqemud log it ("2024-01-01 12:00:00.000+0000: 1234: error : virPCIDeviceNew:1341 : ...").
import { toolRecogniser, type ToolPatterns } from '../tool-line.js';

export const LIBVIRT_LINES: ToolPatterns = {
  tool: 'libvirt',
  lines: [
    /^error: (?:Failed to (?:start|detach|reattach|attach|create|define|destroy|connect|get)|internal error|argument unsupported|Requested operation is not valid|unsupported configuration|operation failed|Operation not supported|XML error|Hook script execution failed|Device \S+ not found|Path .* is not accessible|Cannot access|Unable to |invalid argument|cannot |Cannot |Disconnected from|failed to )/,
    /^\d{4}-\d\d-\d\d[ T][\d:.]+(?:[+-]\d{4}|Z)?: \d+: (?:error|warning) : /,
    /^\d+: (?:error|warning) : \w+:\d+ : /,
    /^(?:libvirt|libvirtd|virtqemud|virtnodedevd|virtproxyd)(?:\[\d+\])?: /,
    /VFIO device assign?ment is currently not supported/,
  ],
};

export const libvirt = toolRecogniser('libvirt', 'libvirt / virsh errors', /^virsh\b|libvirt/, LIBVIRT_LINES);
