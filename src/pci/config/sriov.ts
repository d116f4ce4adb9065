// Single Root I/O Virtualization extended capability (ID 0x10): how many virtual functions the physical
// function offers, how many are enabled, where they sit (first VF offset, stride) and the device id
// they all share. Offsets per PCIe base spec (pciutils PCI_IOV_*).
import type { PciConfig } from '../../snapshot/types.js';
import type { ConfigReader } from './config-reader.js';
import { hexId, hexOffset } from './hex.js';

export const SRIOV_INITIAL_VFS = 0x0c;
export const SRIOV_TOTAL_VFS = 0x0e;
export const SRIOV_NUM_VFS = 0x10;
export const SRIOV_FIRST_VF_OFFSET = 0x14;
export const SRIOV_VF_STRIDE = 0x16;
/** The device id every VF of this PF has (their own id registers read 0xffff). */
export const SRIOV_VF_DEVICE_ID = 0x1a;

export type SriovInfo = NonNullable<PciConfig['sriov']>;

export function decodeSriov(cfg: ConfigReader, at: number, problems: string[]): SriovInfo | null {
  const initialVFs = cfg.u16(at + SRIOV_INITIAL_VFS);
  const totalVFs = cfg.u16(at + SRIOV_TOTAL_VFS);
  const numVFs = cfg.u16(at + SRIOV_NUM_VFS);
  if (initialVFs === null || totalVFs === null || numVFs === null) {
    problems.push(`SR-IOV capability at ${hexOffset(at)} is cut off before its VF counts`);
    return null;
  }
  const firstVfOffset = cfg.u16(at + SRIOV_FIRST_VF_OFFSET);
  const vfStride = cfg.u16(at + SRIOV_VF_STRIDE);
  const vfDevice = cfg.u16(at + SRIOV_VF_DEVICE_ID);
  if (firstVfOffset === null || vfStride === null || vfDevice === null) {
    problems.push(`SR-IOV capability at ${hexOffset(at)} is cut off before its VF routing ids and device id`);
    return { totalVFs, numVFs, initialVFs };
  }
  return { totalVFs, numVFs, initialVFs, firstVfOffset, vfStride, vfDeviceId: hexId(vfDevice) };
}
