// Where an SR-IOV physical function's virtual functions sit: the PCIe base spec routes VF n (from 1) at
// the PF's routing id + First VF Offset + (n - 1) * VF Stride, on the same segment; a routing id is
// bus << 8 | device << 3 | function, so VFs may spill onto the next buses.
import { formatPciAddress, parsePciAddress } from './address.js';

export function virtualFunctionAddresses(pf: string, firstVfOffset: number, vfStride: number, count: number): string[] {
  const a = parsePciAddress(pf);
  if (!a || a.fn === null || count <= 0 || firstVfOffset === 0) return [];
  const rid = (a.bus << 8) | (a.device << 3) | a.fn;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const vf = rid + firstVfOffset + i * vfStride;
    if (vf > 0xffff) break;
    out.push(formatPciAddress({ segment: a.segment, bus: vf >> 8, device: (vf >> 3) & 0x1f, fn: vf & 7 }));
  }
  return out;
}
