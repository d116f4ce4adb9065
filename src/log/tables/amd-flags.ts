// AMD IOMMU event flags (IO_PAGE_FAULT), as data: drivers/iommu/amd/amd_iommu_types.h EVENT_FLAG_*
// and the AMD IOMMU specification.

export interface FlagBit {
  mask: number;
  name: string;
  meaning: string;
}

export const IO_PAGE_FAULT_FLAGS: readonly FlagBit[] = [
  { mask: 0x001, name: 'GN', meaning: 'guest / PASID-valid request' },
  { mask: 0x002, name: 'NX', meaning: 'no-execute violation' },
  { mask: 0x004, name: 'US', meaning: 'user/supervisor' },
  { mask: 0x008, name: 'I', meaning: 'interrupt request (interrupt-remapping fault)' },
  { mask: 0x010, name: 'PR', meaning: 'the page was present (permission problem)' },
  { mask: 0x020, name: 'RW', meaning: 'write' },
  { mask: 0x040, name: 'PE', meaning: 'permission error' },
  { mask: 0x080, name: 'RZ', meaning: 'reserved bit not zero in a table entry' },
  { mask: 0x100, name: 'TR', meaning: 'translation request (ATS)' },
];

export interface DecodedAmdFlags {
  flags: number;
  names: string[];
  transaction: 'memory' | 'interrupt';
  /** For memory transactions only: RW says write or read. */
  access: 'read' | 'write' | null;
  pagePresent: boolean;
  permissionError: boolean;
  reservedBit: boolean;
  translationRequest: boolean;
  /** Bits 10:9, the transaction type. */
  type: number;
  summary: string;
}

export function decodeIoPageFaultFlags(flags: number): DecodedAmdFlags {
  const names = IO_PAGE_FAULT_FLAGS.filter((f) => (flags & f.mask) !== 0).map((f) => f.name);
  const interrupt = (flags & 0x008) !== 0;
  const present = (flags & 0x010) !== 0;
  const write = (flags & 0x020) !== 0;
  const access = interrupt ? null : write ? 'write' : 'read';
  let summary: string;
  if (interrupt) summary = 'interrupt-remapping fault (an interrupt request, not a memory access)';
  else if (!present) summary = `${access} of an address with no mapping (page not present)`;
  else summary = `${access} refused on a present page (permission problem)`;
  if ((flags & 0x100) !== 0) summary += ', on an ATS translation request';
  return {
    flags,
    names,
    transaction: interrupt ? 'interrupt' : 'memory',
    access,
    pagePresent: present,
    permissionError: (flags & 0x040) !== 0,
    reservedBit: (flags & 0x080) !== 0,
    translationRequest: (flags & 0x100) !== 0,
    type: (flags >> 9) & 0x3,
    summary,
  };
}
