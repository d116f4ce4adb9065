import type { PciDevice } from '../snapshot/types.js';

// Small pure questions about PCI functions that many rules ask.

export function baseClass(d: PciDevice): string {
  return d.classCode.slice(0, 2);
}

export function isBridge(d: PciDevice): boolean {
  if (d.config && d.config.length >= 16) return (d.config.headerType & 0x7f) === 1 || (d.config.headerType & 0x7f) === 2;
  return d.classCode.startsWith('0604') || d.classCode.startsWith('0609');
}

export function isDisplay(d: PciDevice): boolean {
  return baseClass(d) === '03';
}

/** Host bridges, ISA/LPC bridges and SMBus controllers belong to the chipset; they are never passed through. */
export function isChipsetFunction(d: PciDevice): boolean {
  return d.classCode.startsWith('0600') || d.classCode.startsWith('0601') || d.classCode.startsWith('0c05');
}

export function vfioDriver(driver: string | null): boolean {
  return driver !== null && (driver === 'vfio-pci' || driver.endsWith('-vfio-pci') || driver === 'vfio_pci');
}

/** Drivers that let a group be used by VFIO without owning DMA (pre-5.19 allow list; 5.19+ driver_managed_dma). */
export function vfioCompatibleDriver(driver: string | null): boolean {
  return driver === null || vfioDriver(driver) || driver === 'pci-stub' || driver === 'pcieport';
}

export function idPair(d: PciDevice): string {
  return `${d.vendorId}:${d.deviceId}`;
}

/**
 * A device known only by its address (a message or a VM definition named it; no lspci in the input):
 * the 0xffff ids are placeholders, not what the device reads.
 */
export function idsUnknown(d: PciDevice): boolean {
  return d.vendorId === 'ffff' && d.deviceId === 'ffff' && d.modalias === null && d.sysfsPath === null && d.names === null && d.config === null;
}

export function describeDevice(d: PciDevice): string {
  if (idsUnknown(d)) return `${d.address} (ids not in the input)`;
  const name = d.names?.device ? `${d.names.vendor ?? d.vendorId} ${d.names.device}` : `[${idPair(d)}]`;
  return `${d.address} ${name} [${idPair(d)}]`.replace(`[${idPair(d)}] [${idPair(d)}]`, `[${idPair(d)}]`);
}

/** Whether an id spec of vfio-pci.ids ("vendor:device[:subvendor[:subdevice[:class[:mask]]]]") matches a device. */
export function idSpecMatches(spec: string, d: PciDevice): boolean {
  const f = spec.trim().toLowerCase().split(':');
  const [v, dev, sv, sd] = f;
  const ok = (want: string | undefined, have: string | null) => want === undefined || want === '' || want === 'ffffffff' || (have !== null && want.padStart(4, '0') === have);
  return ok(v, d.vendorId) && ok(dev, d.deviceId) && ok(sv, d.subsystemVendorId) && ok(sd, d.subsystemDeviceId);
}
