// Which layers anything in the snapshot speaks about. A layer with no failing or warning finding is "ok"
// only when something was read that could have shown it broken; in a paste that held nothing about it
// (a lone modprobe error says nothing about IOMMU groups) it has "no evidence", which is not "ok".
import type { Snapshot } from '../snapshot/types.js';
import type { Finding } from './finding.js';
import { LAYERS, type Layer } from './layers.js';

// Programs whose messages are about assigning a device to a VM (or a DPDK process).
const VM_TOOLS = new Set(['qemu', 'libvirt', 'proxmox', 'kubevirt', 'dpdk', 'cloud-hypervisor']);

/** Per layer, the sources whose reading lets its checks speak (ids of Snapshot.sources). */
const LAYER_SOURCES: Record<Layer, string[]> = {
  firmware: ['acpi-tables', 'sys/kernel/iommu_groups', 'sys/class/iommu', 'proc/cpuinfo'],
  kernel: ['proc/cmdline', 'sys/kernel/iommu_groups', 'sys/class/iommu', 'proc/interrupts'],
  modules: ['proc/modules', 'modules.builtin', 'modprobe.d', 'initramfs', 'kernel-config', 'modules-load'],
  binding: ['sys/bus/pci/devices'],
  isolation: ['sys/kernel/iommu_groups', 'iommu-group-ids'],
  device: ['sys/bus/pci/devices', 'proc/iomem'],
  hypervisor: ['dev', 'dev/vfio', 'dev/vfio/devices', 'memlock-limit', 'libvirt-domain', 'proxmox-vm-config'],
};

/**
 * The layers something speaks about: a finding of the layer (any severity), a line that proves it
 * (settled), a source of its own that was read, or for the device layers a device whose driver or reset
 * methods were shown. A whole kernel log (live, --root, sos) speaks about every layer up to the device.
 */
export function layersWithEvidence(snap: Snapshot, findings: readonly Finding[], settled: readonly Layer[]): Layer[] {
  const read = (id: string) => snap.sources[id]?.status === 'read';
  const perDevice = (suffix: string) => Object.entries(snap.sources).some(([id, r]) => id.startsWith('pci:') && id.endsWith(suffix) && r.status === 'read');
  const wholeLog = snap.kernelLog !== null && snap.origin.kind !== 'paste';
  return LAYERS.filter((layer) => {
    if (findings.some((f) => f.layer === layer) || settled.includes(layer)) return true;
    if (LAYER_SOURCES[layer].some(read)) return true;
    if (layer === 'binding' && perDevice(':driver')) return true;
    if (layer === 'isolation' && snap.pci.some((d) => d.iommuGroup !== null)) return true;
    if (layer === 'device' && perDevice(':reset_method')) return true;
    if (layer === 'hypervisor' && ((snap.hypervisor?.vms.length ?? 0) > 0 || snap.toolMessages.some((m) => VM_TOOLS.has(m.tool)))) return true;
    return wholeLog && layer !== 'hypervisor';
  });
}
