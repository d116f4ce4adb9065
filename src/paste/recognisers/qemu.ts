// QEMU's own messages about VFIO devices, as QEMU prints them on stderr and libvirt copies them into
// /var/log/libvirt/qemu/<vm>.log ("qemu-system-x86_64: -device vfio-pci,host=01:00.0: vfio 0000:01:00.0:
// group 1 is not viable"). Proxmox runs QEMU as "kvm".
import { toolRecogniser, type ToolPatterns } from '../tool-line.js';

export const QEMU_LINES: ToolPatterns = {
  tool: 'qemu',
  lines: [
    /^(?:\S*\/)?(?:qemu-system-[\w-]+|qemu-kvm|qemu|kvm)(?:\[\d+\])?: /,
    /^vfio(?: error)?: /,
    /^vfio [0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]: /,
    /^vfio_(?:container_)?dma_map\(/,
    /\bVFIO_MAP_DMA\b/,
    /^Please ensure all devices within the iommu_group are bound to their vfio bus driver/,
    /^qemu: hardware error: /,
  ],
};

export const qemu = toolRecogniser('qemu', 'QEMU errors about VFIO devices', /^(?:qemu|kvm|cat .*\/libvirt\/qemu\/)/, QEMU_LINES);
