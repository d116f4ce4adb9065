// The libvirt adapter: domain XML -> VmDefinition. The same reader serves /etc/libvirt/qemu/*.xml,
// virsh dumpxml output and pasted XML; who QEMU runs as and autostart come from elsewhere on the host.
import { child, childrenNamed, childText, parseXml, XmlError, type XmlElement } from './xml.js';
import type { QemuIdentity, VmDefinition, VmPciAssignment } from './types.js';
import { formatPciAddress, pciAddressFromAttributes } from '../pci/address.js';

export interface ParsedDomain {
  name: string;
  uuid: string | null;
  memoryKiB: number | null;
  hardLimitKiB: number | null;
  lockedMemory: boolean;
  viommu: string | null;
  hugepages: boolean;
  machine: string | null;
  firmware: 'bios' | 'uefi' | null;
  kvmHidden: boolean | null;
  hypervVendorId: string | null;
  devices: VmPciAssignment[];
}

// libvirt's scaled-integer units: the binary ones are powers of 1024, the SI ones powers of 1000.
const UNIT_BYTES: Record<string, number> = {
  b: 1, bytes: 1,
  k: 1024, kib: 1024, kb: 1000,
  m: 1024 ** 2, mib: 1024 ** 2, mb: 1000 ** 2,
  g: 1024 ** 3, gib: 1024 ** 3, gb: 1000 ** 3,
  t: 1024 ** 4, tib: 1024 ** 4, tb: 1000 ** 4,
};

/** <memory unit='GiB'>16</memory> -> KiB; the default unit is KiB. */
export function scaledKiB(el: XmlElement | undefined): number | null {
  if (!el) return null;
  const v = Number(el.text.trim());
  if (!Number.isFinite(v) || el.text.trim() === '') return null;
  const unit = (el.attrs['unit'] ?? 'KiB').toLowerCase();
  const bytes = UNIT_BYTES[unit];
  return bytes === undefined ? null : Math.round((v * bytes) / 1024);
}

/** <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/> -> "0000:01:00.0". */
export function pciAddressOf(el: XmlElement | undefined): string | null {
  const a = el ? pciAddressFromAttributes(el.attrs) : null;
  return a ? formatPciAddress(a) : null;
}

function yesNo(v: string | undefined): boolean | null {
  if (v === undefined) return null;
  return v === 'yes' || v === 'on';
}

/** <os firmware='efi'> or a pflash/OVMF <loader> is UEFI; an <os> without either boots SeaBIOS. */
function firmwareOf(os: XmlElement | undefined): 'bios' | 'uefi' | null {
  if (!os) return null;
  const loader = child(os, 'loader');
  if (os.attrs['firmware'] === 'efi' || (loader && (loader.attrs['type'] === 'pflash' || /ovmf|edk2|aavmf/i.test(loader.text)))) return 'uefi';
  return os.attrs['firmware'] === 'bios' || !loader ? 'bios' : null;
}

/** `lineOffset`: the line before the XML's first line in `where` (pasted XML starts mid-file). */
export function parseDomainXml(text: string, where: string, lineOffset = 0): ParsedDomain {
  const dom = parseXml(text);
  if (dom.name !== 'domain') throw new XmlError(`${where}: root element is <${dom.name}>, not <domain>`);
  const devicesEl = child(dom, 'devices');
  const devices: VmPciAssignment[] = [];
  for (const h of childrenNamed(devicesEl, 'hostdev')) {
    if (h.attrs['mode'] !== undefined && h.attrs['mode'] !== 'subsystem') continue;
    if (h.attrs['type'] !== 'pci') continue;
    const source = pciAddressOf(child(child(h, 'source'), 'address'));
    if (!source) continue;
    const rom = child(h, 'rom');
    const guest = child(h, 'address');
    devices.push({
      label: `hostdev ${source}`,
      addresses: [source],
      mapping: null,
      managed: yesNo(h.attrs['managed']),
      romBar: rom ? (rom.attrs['bar'] === undefined ? null : rom.attrs['bar'] === 'on') : null,
      romFile: rom?.attrs['file'] ?? null,
      romFileFound: null,
      guestAddress: guest && (guest.attrs['type'] ?? 'pci') === 'pci' ? pciAddressOf(guest) : null,
      multifunction: guest ? yesNo(guest.attrs['multifunction']) : null,
      primaryVga: false,
      pcie: null,
      where,
      line: h.line + lineOffset,
    });
  }
  const memtune = child(dom, 'memtune');
  const iommu = child(devicesEl, 'iommu');
  const os = child(dom, 'os');
  const features = child(dom, 'features');
  const hidden = child(child(features, 'kvm'), 'hidden');
  const vendorId = child(child(features, 'hyperv'), 'vendor_id');
  const backing = child(dom, 'memoryBacking');
  return {
    name: childText(dom, 'name') ?? '',
    uuid: childText(dom, 'uuid'),
    // <currentMemory> may be lower (balloon), but VFIO pins the whole <memory>.
    memoryKiB: scaledKiB(child(dom, 'memory')),
    hardLimitKiB: scaledKiB(child(memtune, 'hard_limit')),
    lockedMemory: child(backing, 'locked') !== undefined,
    viommu: iommu ? iommu.attrs['model'] ?? 'unknown' : null,
    hugepages: child(backing, 'hugepages') !== undefined,
    machine: child(os, 'type')?.attrs['machine'] ?? null,
    firmware: firmwareOf(os),
    kvmHidden: hidden ? yesNo(hidden.attrs['state']) : null,
    hypervVendorId: vendorId && vendorId.attrs['state'] !== 'off' ? vendorId.attrs['value'] ?? null : null,
    devices,
  };
}

export interface HostContext {
  runAs: QemuIdentity | null;
  autostart: boolean | null;
}

/** The model of a parsed domain; `file` and `line` say where the definition was read. */
export function libvirtVm(d: ParsedDomain, file: string, line: number | null, host: HostContext): VmDefinition {
  return {
    manager: 'libvirt',
    name: d.name,
    id: d.uuid,
    file,
    line,
    memoryKiB: d.memoryKiB,
    hugepages: d.hugepages,
    hardLimitKiB: d.hardLimitKiB,
    lockedMemory: d.lockedMemory,
    viommu: d.viommu,
    machine: d.machine,
    firmware: d.firmware,
    kvmHidden: d.kvmHidden,
    hypervVendorId: d.hypervVendorId,
    autostart: host.autostart,
    session: false,
    devices: d.devices,
    runAs: host.runAs,
  };
}
