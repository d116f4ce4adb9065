// Intel VT-d fault reason codes and their kernel text (drivers/iommu/intel/dmar.c), as data.
// The strings are the kernel's own, byte for byte: decoded events must show exactly what a newer or
// older kernel would have printed for the same code.

export type DmarReasonTable = 'dma-remapping' | 'interrupt-remapping' | 'scalable-mode' | 'unknown';

/** dma_remap_fault_reasons[], codes 0x00–0x0d. */
export const DMA_REMAP_FAULT_REASONS: readonly string[] = [
  'Software',
  'Present bit in root entry is clear',
  'Present bit in context entry is clear',
  'Invalid context entry',
  'Access beyond MGAW',
  'PTE Write access is not set',
  'PTE Read access is not set',
  'Next page table ptr is invalid',
  'Root table address invalid',
  'Context table ptr is invalid',
  'non-zero reserved fields in RTP',
  'non-zero reserved fields in CTP',
  'non-zero reserved fields in PTE',
  'PCE for translation request specifies blocking',
];

/** irq_remap_fault_reasons[], codes 0x20–0x26. */
export const IRQ_REMAP_FAULT_REASONS: readonly string[] = [
  'Detected reserved fields in the decoded interrupt-remapped request',
  'Interrupt index exceeded the interrupt-remapping table size',
  'Present field in the IRTE entry is clear',
  'Error accessing interrupt-remapping table pointed by IRTA_REG',
  'Detected reserved fields in the IRTE entry',
  'Blocked a compatibility format interrupt request',
  'Blocked an interrupt request due to source-id verification failure',
];

/** dma_remap_sm_fault_reasons[] (scalable mode, since 5.5), indexed by code; gaps print "Unknown". */
export const SM_FAULT_REASONS: Readonly<Record<number, string>> = {
  0x30: 'SM: Invalid Root Table Address',
  0x31: 'SM: TTM 0 for request with PASID',
  0x32: 'SM: TTM 0 for page group request',
  0x38: 'SM: Error attempting to access Root Entry',
  0x39: 'SM: Present bit in Root Entry is clear',
  0x3a: 'SM: Non-zero reserved field set in Root Entry',
  0x40: 'SM: Error attempting to access Context Entry',
  0x41: 'SM: Present bit in Context Entry is clear',
  0x42: 'SM: Non-zero reserved field set in the Context Entry',
  0x43: 'SM: Invalid Context Entry',
  0x44: 'SM: DTE field in Context Entry is clear',
  0x45: 'SM: PASID Enable field in Context Entry is clear',
  0x46: 'SM: PASID is larger than the max in Context Entry',
  0x47: 'SM: PRE field in Context-Entry is clear',
  0x48: 'SM: RID_PASID field error in Context-Entry',
  0x50: 'SM: Error attempting to access the PASID Directory Entry',
  0x51: 'SM: Present bit in Directory Entry is clear',
  0x52: 'SM: Non-zero reserved field set in PASID Directory Entry',
  0x58: 'SM: Error attempting to access PASID Table Entry',
  0x59: 'SM: Present bit in PASID Table Entry is clear',
  0x5a: 'SM: Non-zero reserved field set in PASID Table Entry',
  0x5b: 'SM: Invalid Scalable-Mode PASID Table Entry',
  0x5c: 'SM: ERE field is clear in PASID Table Entry',
  0x5d: 'SM: SRE field is clear in PASID Table Entry',
  0x70: 'SM: Error attempting to access first-level paging entry',
  0x71: 'SM: Present bit in first-level paging entry is clear',
  0x72: 'SM: Non-zero reserved field set in first-level paging entry',
  0x73: 'SM: Error attempting to access FL-PML4 entry',
  0x74: 'SM: First-level entry address beyond MGAW in Nested translation',
  0x75: 'SM: Read permission error in FL-PML4 entry in Nested translation',
  0x76: 'SM: Read permission error in first-level paging entry in Nested translation',
  0x77: 'SM: Write permission error in first-level paging entry in Nested translation',
  0x78: 'SM: Error attempting to access second-level paging entry',
  0x79: 'SM: Read/Write permission error in second-level paging entry',
  0x7a: 'SM: Non-zero reserved field set in second-level paging entry',
  0x7b: 'SM: Invalid second-level page table pointer',
  0x7c: 'SM: A/D bit update needed in second-level entry when set up in no snoop',
  0x80: 'SM: Address in first-level translation is not canonical',
  0x81: 'SM: U/S set 0 for first-level translation with user privilege',
  0x82: 'SM: No execute permission for request with PASID and ER=1',
  0x83: 'SM: Address beyond the DMA hardware max',
  0x84: 'SM: Second-level entry address beyond the max',
  0x85: 'SM: No write permission for Write/AtomicOp request',
  0x86: 'SM: No read permission for Read/AtomicOp request',
  0x87: 'SM: Invalid address-interrupt address',
  0x90: 'SM: A/D bit update needed in first-level entry when set up in no snoop',
};

export interface DmarReason {
  code: number;
  text: string;
  table: DmarReasonTable;
}

/** The kernel's lookup order in dmar_get_fault_reason(). */
export function dmarFaultReason(code: number): DmarReason {
  if (code >= 0x20 && code < 0x20 + IRQ_REMAP_FAULT_REASONS.length) {
    return { code, text: IRQ_REMAP_FAULT_REASONS[code - 0x20] as string, table: 'interrupt-remapping' };
  }
  if (code >= 0x30 && code <= 0x90) {
    const text = SM_FAULT_REASONS[code];
    return text ? { code, text, table: 'scalable-mode' } : { code, text: 'Unknown', table: 'unknown' };
  }
  if (code >= 0 && code < DMA_REMAP_FAULT_REASONS.length) {
    return { code, text: DMA_REMAP_FAULT_REASONS[code] as string, table: 'dma-remapping' };
  }
  return { code, text: 'Unknown', table: 'unknown' };
}

/** Reverse lookup: the code whose text this is (for lines that lost the number, e.g. quoted "…"). */
export function dmarReasonCodeOf(text: string): number | null {
  const t = text.trim();
  let i = DMA_REMAP_FAULT_REASONS.indexOf(t);
  if (i >= 0) return i;
  i = IRQ_REMAP_FAULT_REASONS.indexOf(t);
  if (i >= 0) return 0x20 + i;
  for (const [code, s] of Object.entries(SM_FAULT_REASONS)) if (s === t) return Number(code);
  return null;
}

/** What the fault usually means for passthrough (kernel-facts §1.3, "diagnostic reading"). */
export function dmarReasonAdvice(code: number): string {
  switch (code) {
    case 0x05:
    case 0x06:
    case 0x71:
    case 0x79:
      return 'the device used an address (IOVA) that has no mapping, or not with the permission it needed. In a VM this usually means guest memory is not mapped for the device, or a host driver still drives it; on the host, a driver bug or firmware DMA to a region the firmware did not report (RMRR)';
    case 0x02:
    case 0x41:
      return 'there is no context entry for this requester: the device is not attached to any IOMMU domain, or it issues DMA with an alias requester ID the IOMMU does not know';
    case 0x25:
      return 'a compatibility-format interrupt was blocked because interrupt remapping is enforced';
    case 0x26:
      return 'the interrupt request failed source-id verification, which usually points to a requester-ID aliasing quirk';
    default:
      return 'the IOMMU rejected the request for the reason given';
  }
}
