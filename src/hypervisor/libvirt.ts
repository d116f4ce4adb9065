// libvirt domain XML -> VmDefinition (without runAs/autostart, which come from elsewhere).
import { child, childrenNamed, childText, parseXml, XmlError, type XmlElement } from './xml.js';
import type { VmPciAssignment } from './types.js';
import { formatPciAddress, pciAddressFromAttributes } from '../pci/address.js';

export interface ParsedDomain {
  name: string;
  uuid: string | null;
  memoryKiB: number | null;
  hardLimitKiB: number | null;
  lockedMemory: boolean;
  viommu: string | null;
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

export function parseDomainXml(text: string, where: string): ParsedDomain {
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
      multifunction: guest ? yesNo(guest.attrs['multifunction']) : null,
      primaryVga: false,
      pcie: null,
      where,
      line: h.line,
    });
  }
  const memtune = child(dom, 'memtune');
  const iommu = child(devicesEl, 'iommu');
  return {
    name: childText(dom, 'name') ?? '',
    uuid: childText(dom, 'uuid'),
    // <currentMemory> may be lower (balloon), but VFIO pins the whole <memory>.
    memoryKiB: scaledKiB(child(dom, 'memory')),
    hardLimitKiB: scaledKiB(child(memtune, 'hard_limit')),
    lockedMemory: child(child(dom, 'memoryBacking'), 'locked') !== undefined,
    viommu: iommu ? iommu.attrs['model'] ?? 'unknown' : null,
    devices,
  };
}
