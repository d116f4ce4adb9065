// The chain of custody, in the order the tool walks it (DESIGN.md). These strings are JSON interface.
export const LAYERS = ['firmware', 'kernel', 'modules', 'binding', 'isolation', 'device', 'hypervisor'] as const;
export type Layer = (typeof LAYERS)[number];

export const LAYER_QUESTIONS: Record<Layer, string> = {
  firmware: 'does the platform expose an IOMMU at all?',
  kernel: 'did the kernel turn DMA remapping and interrupt remapping on?',
  modules: 'can VFIO load, early enough, on this kernel?',
  binding: 'is every target function (and its companions) owned by vfio-pci?',
  isolation: "is each target's IOMMU group safe to hand over?",
  device: 'does the device behave: resets, power states, BARs, DMA?',
  hypervisor: 'can the VM manager open and assign it?',
};

export function layerIndex(l: Layer): number {
  return LAYERS.indexOf(l);
}
