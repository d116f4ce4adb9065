import type { PciDevice, Snapshot } from '../snapshot/types.js';
import type { AnalysisOptions, VfioIdSource } from './context.js';
import { idSpecMatches, isBridge, isDisplay, vfioDriver } from './pci-facts.js';
import { comparePciAddresses, fullFunctionAddress, slotOf } from '../pci/address.js';
import { vmTargets } from '../hypervisor/vms.js';

export interface Target {
  address: string;
  role: 'target' | 'companion';
  /** Why it is a target ("--device", "vfio-pci.ids on the kernel command line", ...). */
  reasons: string[];
  /** For a companion: the target whose slot it shares. */
  companionOf: string | null;
}

/** Audio, USB and serial-bus functions of a GPU go with it: leaving them on the host breaks resets and viability. */
function gpuCompanionClass(d: PciDevice): boolean {
  return d.classCode.startsWith('0403') || d.classCode.startsWith('0c03') || d.classCode.startsWith('0c80') || d.classCode.startsWith('0c05');
}

export function inferTargets(snap: Snapshot, vfioIds: VfioIdSource[], opts: AnalysisOptions): Target[] {
  const targets = new Map<string, Target>();
  const add = (address: string, reason: string) => {
    const t = targets.get(address);
    if (t) {
      if (!t.reasons.includes(reason)) t.reasons.push(reason);
    } else targets.set(address, { address, role: 'target', reasons: [reason], companionOf: null });
  };
  // check --vm focuses on one VM: its devices are then the only targets, as if given explicitly.
  const vm = vmTargets(snap);
  const explicit = (opts.devices?.length ?? 0) > 0 || (opts.ids?.length ?? 0) > 0 || vm.focused;
  for (const raw of opts.devices ?? []) {
    const a = fullFunctionAddress(raw);
    if (a) add(a, '--device');
  }
  for (const spec of opts.ids ?? []) for (const d of snap.pci) if (idSpecMatches(spec, d)) add(d.address, `--ids ${spec}`);
  if (vm.focused || !explicit) for (const t of vm.targets) add(t.address, t.reason);
  if (!explicit) {
    for (const src of vfioIds) {
      const label = src.where === 'cmdline' ? 'vfio-pci.ids on the kernel command line' : `vfio-pci ids in ${src.evidence.source}`;
      for (const spec of src.ids) for (const d of snap.pci) if (idSpecMatches(spec, d) && !isBridge(d)) add(d.address, label);
    }
    for (const d of snap.pci) {
      if (d.driverOverride !== null && vfioDriver(d.driverOverride)) add(d.address, 'driver_override is vfio-pci');
      if (vfioDriver(d.driver)) add(d.address, 'bound to vfio-pci now');
    }
  }
  addCompanions(snap, targets);
  return [...targets.values()].sort((a, b) => comparePciAddresses(a.address, b.address));
}

function addCompanions(snap: Snapshot, targets: Map<string, Target>): void {
  // Indexed by slot once: a large host has hundreds of targets and a thousand functions.
  const bySlot = new Map<string, PciDevice[]>();
  for (const d of snap.pci) {
    const slot = slotOf(d.address);
    const list = bySlot.get(slot);
    if (list) list.push(d);
    else bySlot.set(slot, [d]);
  }
  const byAddress = new Map(snap.pci.map((d) => [d.address, d]));
  for (const t of [...targets.values()]) {
    const d = byAddress.get(t.address);
    // SR-IOV VFs share a "slot" with unrelated VFs; they have no companions.
    if (!d || d.physfn !== null) continue;
    for (const o of bySlot.get(slotOf(t.address)) ?? []) {
      if (o.address === t.address || targets.has(o.address)) continue;
      if (o.physfn !== null || isBridge(o)) continue;
      const sameGroup = d.iommuGroup !== null && o.iommuGroup === d.iommuGroup;
      const groupsUnknown = d.iommuGroup === null;
      if (sameGroup || groupsUnknown || (isDisplay(d) && gpuCompanionClass(o))) {
        targets.set(o.address, { address: o.address, role: 'companion', reasons: [`function of the same slot as ${t.address}`], companionOf: t.address });
      }
    }
  }
}
