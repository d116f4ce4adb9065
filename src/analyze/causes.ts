import type { Layer } from './layers.js';

// The cause names are JSON interface: scripts and dashboards match on them. The first block is the
// fixed set from DESIGN.md; the second holds causes added by vfio-doctor, documented the same way.
export interface CauseInfo {
  layer: Layer;
  meaning: string;
}

export const CAUSES: Record<string, CauseInfo> = {
  'iommu-disabled-firmware': { layer: 'firmware', meaning: 'The firmware exposes no IOMMU (VT-d / AMD-Vi off in the BIOS/UEFI, or a virtual machine without a virtual IOMMU): there is no DMAR or IVRS ACPI table.' },
  'iommu-disabled-cmdline': { layer: 'kernel', meaning: 'The kernel command line turns the IOMMU off (intel_iommu=off, amd_iommu=off), or lacks intel_iommu=on on a kernel built with the Intel IOMMU off by default.' },
  'iommu-args-invalid': { layer: 'kernel', meaning: 'IOMMU options on the command line that do nothing: amd_iommu=on (no such option), the other vendor\'s option, misspelled or unknown values.' },
  'iommu-inactive': { layer: 'kernel', meaning: 'Firmware and command line look right, yet DMA remapping is not active: no /sys/class/iommu units and no IOMMU groups.' },
  'irq-remap-missing': { layer: 'kernel', meaning: 'Interrupt remapping is off or unsupported: VFIO refuses devices (type1: "No interrupt remapping support") unless unsafe interrupts are allowed.' },
  'kernel-not-rebooted': { layer: 'kernel', meaning: 'A newer kernel is installed than the one running: the host was updated but not rebooted, so what you see is not what the next boot will do.' },
  'module-missing': { layer: 'modules', meaning: 'A VFIO module the setup needs is neither loaded, built in, nor installed for this kernel, or is configured under a name this kernel does not have.' },
  'module-renamed': { layer: 'modules', meaning: 'Configuration names a VFIO module that this kernel merged or split (vfio_virqfd merged into vfio in 6.2; vfio_pci_core split out in 5.15).' },
  'vfio-builtin-options-ignored': { layer: 'modules', meaning: 'vfio-pci is built into the kernel, so "options vfio-pci ..." in modprobe.d never applies; the ids must be given as vfio-pci.ids= on the kernel command line.' },
  'initramfs-missing-vfio': { layer: 'modules', meaning: 'The initramfs lacks the VFIO modules (or the configuration that loads them) while a host driver for the target is in it: the host driver wins the race at boot.' },
  'module-signature-rejected': { layer: 'modules', meaning: 'Lockdown / Secure Boot refuses an unsigned out-of-tree module the setup depends on (vendor-reset, NVIDIA vGPU).' },
  'host-driver-bound': { layer: 'binding', meaning: 'A target function is owned by a host driver, not vfio-pci.' },
  'companion-not-bound': { layer: 'binding', meaning: 'A companion function of a target (another function of the same slot, such as the GPU\'s HDMI audio) is still owned by a host driver.' },
  'vfio-ids-mismatch': { layer: 'binding', meaning: 'vfio-pci ids that match no device on this host, or that also match a device the host itself needs.' },
  'group-shared': { layer: 'isolation', meaning: "A target's IOMMU group holds devices that are not part of the passthrough (and are not bridges): the group cannot be handed over safely." },
  'acs-override-in-use': { layer: 'isolation', meaning: 'pcie_acs_override makes the kernel pretend isolation exists where the hardware does not provide it.' },
  'bar-conflict': { layer: 'device', meaning: 'Another resource claim (BOOTFB, simpledrm, efifb, vesafb) sits inside a target BAR: vfio-pci cannot reserve it ("BAR n: can\'t reserve").' },
  'reset-unsupported': { layer: 'device', meaning: 'The device offers no usable reset (no FLR, no AF FLR, PM reset blocked by No_Soft_Reset, no bus reset) or belongs to a family with known reset bugs.' },
  'reset-failed': { layer: 'device', meaning: 'The kernel log shows a reset of the device failing or being refused.' },
  'stuck-in-d3': { layer: 'device', meaning: 'The device did not come back from a low-power state (D3hot/D3cold) when VFIO tried to use it.' },
  'dma-fault': { layer: 'device', meaning: 'The IOMMU logged DMA faults (DMAR / AMD-Vi) for the device.' },
  'rmrr-blocked': { layer: 'firmware', meaning: 'The firmware declares a direct-mapped region (RMRR / IVMD) for the device, which blocks or breaks its assignment.' },
  'vfio-node-permissions': { layer: 'hypervisor', meaning: 'A /dev/vfio node is missing or not accessible to the user the hypervisor runs as.' },
  'memlock-limit': { layer: 'hypervisor', meaning: 'The locked-memory limit (RLIMIT_MEMLOCK) of the hypervisor is below what the VM must pin for DMA.' },
  'vm-config-mismatch': { layer: 'hypervisor', meaning: 'A VM definition asks for something the host cannot give (an address that is gone or now another device, a function without its companions).' },

  'virtualization-disabled': { layer: 'firmware', meaning: 'The CPU does not show hardware virtualisation (vmx / svm): VT-x / AMD-V is off in the firmware, or this is a VM without nested virtualisation.' },
  'iommu-passthrough-default': { layer: 'kernel', meaning: 'Host devices use identity (passthrough) DMA mappings (iommu=pt, iommu.passthrough=1 or a platform opt-in): fine for VFIO, but host devices are not isolated.' },
  'policy-target-missing': { layer: 'binding', meaning: 'A target the written policy (check --policy) expects on vfio-pci is not on the host at all.' },
  'unsafe-interrupts-allowed': { layer: 'kernel', meaning: 'vfio_iommu_type1.allow_unsafe_interrupts is on while the written policy forbids it: a guest can forge interrupts.' },
  'kernel-not-allowed': { layer: 'kernel', meaning: 'The running kernel is not one the written policy allows for this host.' },
  'bios-below-minimum': { layer: 'firmware', meaning: 'The BIOS is older than the minimum the written policy sets for this host.' },
  'kvm-unavailable': { layer: 'hypervisor', meaning: '/dev/kvm is missing: the hypervisor cannot run accelerated VMs.' },
  // Causes named by the message catalogue (catalogue/*.json): what a pasted error line proves.
  'iommu-table-broken': { layer: 'firmware', meaning: 'The firmware\'s DMAR / IVRS table is wrong (a unit at address 0, an IOAPIC or device missing from it): the kernel turns the IOMMU or interrupt remapping off.' },
  'vfio-no-iommu-mode': { layer: 'kernel', meaning: 'VFIO runs in no-IOMMU mode (enable_unsafe_noiommu_mode): devices are usable by DPDK without isolation, never by a VM.' },
  'module-load-failed': { layer: 'modules', meaning: 'A module the setup needs failed to load for a reason other than its signature: built for another kernel, an unknown symbol or parameter, module loading disabled.' },
  'module-build-failed': { layer: 'modules', meaning: 'An out-of-tree module (vendor-reset, nvidia, kvmfr ...) failed to build for this kernel (DKMS / kbuild), so it is missing after the update.' },
  'driver-name-invalid': { layer: 'binding', meaning: 'A bind, new_id or driver_override write names a driver that does not exist: the module name (vfio_pci) instead of the driver name (vfio-pci), or a driver whose module is not loaded.' },
  'device-config-invalid': { layer: 'device', meaning: 'The device reports a capability or BAR layout VFIO cannot use (MSI-X table and PBA overlapping or outside their BAR).' },
  'rom-unreadable': { layer: 'device', meaning: 'The option ROM of the device cannot be read through VFIO (shadowed by the boot firmware, or missing).' },
  'bar-mmap-failed': { layer: 'device', meaning: 'QEMU could not map a BAR of the device directly: the device works, but every access traps and is slow.' },
  'interrupt-setup-failed': { layer: 'device', meaning: 'VFIO could not set up the device\'s interrupts (a shared INTx line without DisINTx support, MSI/MSI-X refused).' },
  'device-error': { layer: 'device', meaning: 'The device reported an error VFIO cannot recover from (AER uncorrectable error), or vfio-pci could not enable it.' },
  'vfio-group-busy': { layer: 'hypervisor', meaning: 'The IOMMU group or device is already open: another VM, a leftover QEMU, or another VFIO user holds it.' },
  'device-in-use': { layer: 'hypervisor', meaning: 'The VM manager refuses the device because it is assigned to another running VM or reserved for one.' },
  'dma-map-failed': { layer: 'hypervisor', meaning: 'The IOMMU refused a DMA mapping of guest memory (an address outside its range, memory that cannot be pinned, an overlap).' },
  'dma-entry-limit': { layer: 'hypervisor', meaning: 'vfio_iommu_type1 ran out of DMA mapping entries (dma_entry_limit, 65535 by default): too many small mappings.' },
  'hugepages-missing': { layer: 'hypervisor', meaning: 'The program needs huge pages (DPDK, SPDK, a hugepage-backed VM) and none are reserved or mounted.' },
  'vm-start-failed': { layer: 'hypervisor', meaning: 'A VM manager reports that a VM did not start without saying why: the messages before it say.' },
  'migration-blocked': { layer: 'hypervisor', meaning: 'A VFIO device blocks live migration and snapshots with RAM state: expected unless the device has a migration driver.' },
};

export function isKnownCause(c: string): boolean {
  return Object.hasOwn(CAUSES, c);
}
