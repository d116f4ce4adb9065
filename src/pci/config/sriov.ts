// Single Root I/O Virtualization extended capability (ID 0x10): how many virtual functions the physical
// function offers and how many are enabled. Offsets per PCIe base spec (pciutils PCI_IOV_*).
import type { PciConfig } from '../../snapshot/types.js';
import type { ConfigReader } from './config-reader.js';
import { hexOffset } from './hex.js';

export const SRIOV_INITIAL_VFS = 0x0c;
export const SRIOV_TOTAL_VFS = 0x0e;
export const SRIOV_NUM_VFS = 0x10;

export type SriovInfo = NonNullable<PciConfig['sriov']>;

export function decodeSriov(cfg: ConfigReader, at: number, problems: string[]): SriovInfo | null {
  const initialVFs = cfg.u16(at + SRIOV_INITIAL_VFS);
  const totalVFs = cfg.u16(at + SRIOV_TOTAL_VFS);
  const numVFs = cfg.u16(at + SRIOV_NUM_VFS);
  if (initialVFs === null || totalVFs === null || numVFs === null) {
    problems.push(`SR-IOV capability at ${hexOffset(at)} is cut off before its VF counts`);
    return null;
  }
  return { totalVFs, numVFs, initialVFs };
}
