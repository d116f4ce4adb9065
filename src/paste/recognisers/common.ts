// Small helpers the recognisers share: PCI addresses as people paste them, and runs of lines.
import { fullFunctionAddress, normalisePciAddress } from '../../pci/address.js';
import type { Claim, InputLine } from '../types.js';
import type { PasteFacts } from '../facts.js';

/** A PCI address with or without domain, in any case: "0000:01:00.0", "01:00.0", "0000:AF:04.7". */
export const ADDR = '(?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]';

export function addr(text: string): string | null {
  return fullFunctionAddress(text);
}

/** libvirt node device names: pci_0000_01_00_0 -> 0000:01:00.0. */
export function nodedevAddress(name: string): string | null {
  return name.startsWith('pci_') ? normalisePciAddress(name) : null;
}

export function isBlank(l: InputLine | undefined): boolean {
  return l === undefined || l.text.trim() === '';
}

/** Counts lines from `at` while `test` holds; blank lines inside the run are taken when `blanks` is set. */
export function runLength(lines: readonly InputLine[], at: number, test: (l: InputLine, i: number) => boolean, blanks = false): number {
  let end = at;
  let i = at;
  while (i < lines.length) {
    const l = lines[i]!;
    if (blanks && isBlank(l)) {
      i++;
      continue;
    }
    if (!test(l, i)) break;
    i++;
    end = i;
  }
  return end - at;
}

/** A claim of one line. */
export function one(apply: Claim['apply']): Claim {
  return { length: 1, apply };
}

/** Hex id as the snapshot stores it: four lower-case digits. */
export function hex4(s: string): string {
  return s.toLowerCase().padStart(4, '0').slice(-4);
}

/** Registers a device seen with its vendor:device ids and class (the fields every listing has). */
export function seeDevice(
  facts: PasteFacts,
  address: string,
  where: string,
  info: { vendorId?: string | null; deviceId?: string | null; classCode?: string | null; revision?: string | null; className?: string | null; vendorName?: string | null; deviceName?: string | null },
): void {
  const d = facts.device(address, where);
  if (info.vendorId) d.vendorId = hex4(info.vendorId);
  if (info.deviceId) d.deviceId = hex4(info.deviceId);
  if (info.classCode && (!d.classCode || d.classCode.length < info.classCode.length)) d.classCode = info.classCode.toLowerCase();
  if (info.revision) d.revision = info.revision.toLowerCase();
  if (info.className) d.className = info.className;
  if (info.vendorName) d.vendorName = info.vendorName;
  if (info.deviceName) d.deviceName = info.deviceName;
}

// lspci prints class names when -n is not given; the common ones, so a plain "lspci -k" still tells a
// bridge from a GPU. Base class and subclass, as pci.ids spells them.
const CLASS_NAMES: Record<string, string> = {
  'Non-VGA unclassified device': '0000',
  'VGA compatible unclassified device': '0001',
  'SCSI storage controller': '0100',
  'IDE interface': '0101',
  'RAID bus controller': '0104',
  'SATA controller': '0106',
  'Serial Attached SCSI controller': '0107',
  'Non-Volatile memory controller': '0108',
  'Mass storage controller': '0180',
  'Ethernet controller': '0200',
  'Network controller': '0280',
  'Infiniband controller': '0207',
  'Fabric controller': '0208',
  'VGA compatible controller': '0300',
  'XGA compatible controller': '0301',
  '3D controller': '0302',
  'Display controller': '0380',
  'Multimedia video controller': '0400',
  'Multimedia audio controller': '0401',
  'Audio device': '0403',
  'Multimedia controller': '0480',
  'RAM memory': '0500',
  'Memory controller': '0580',
  'Host bridge': '0600',
  'ISA bridge': '0601',
  'PCI bridge': '0604',
  'CardBus bridge': '0607',
  'Bridge': '0680',
  'Serial controller': '0700',
  'Communication controller': '0780',
  'PIC': '0800',
  'IOMMU': '0806',
  'System peripheral': '0880',
  'USB controller': '0c03',
  'FireWire (IEEE 1394)': '0c00',
  'Fibre Channel': '0c04',
  'SMBus': '0c05',
  'Serial bus controller': '0c80',
  'Signal processing controller': '1180',
  'Encryption controller': '1080',
  'Processing accelerators': '1200',
  'Unassigned class': 'ff00',
};

export function classCodeOfName(name: string): string | null {
  return CLASS_NAMES[name.trim()] ?? null;
}
