// A pasted PF's SR-IOV capability (lspci -vv: "Number of VFs", "VF offset: 16, stride: 1, Device ID:
// 154c") says where its enabled VFs sit and which id they have. A VF the paste knows only by address (a
// log prefix, a VM error, a group listing) gets its PF and ids from there: its own id registers read
// 0xffff by design, so nothing else in a paste may give them.
import type { PasteFacts } from './facts.js';
import { virtualFunctionAddresses } from '../pci/sriov-routing.js';

export function deriveVirtualFunctions(facts: PasteFacts): void {
  for (const pf of [...facts.devices.values()]) {
    const s = pf.config?.sriov;
    if (!s || s.firstVfOffset === undefined || s.vfStride === undefined || s.numVFs === 0) continue;
    for (const address of virtualFunctionAddresses(pf.address, s.firstVfOffset, s.vfStride, s.numVFs)) {
      const vf = facts.devices.get(address);
      if (!vf) continue;
      vf.physfn ??= pf.address;
      if (vf.vendorId === null && pf.vendorId !== null) vf.vendorId = pf.vendorId;
      if (vf.deviceId === null && s.vfDeviceId !== undefined) vf.deviceId = s.vfDeviceId;
      if (vf.classCode === null && pf.classCode !== null) vf.classCode = pf.classCode;
    }
  }
}
