// Analysis-side view of snapshot.hypervisor: which host functions each VM asks for.
import type { Snapshot } from '../snapshot/types.js';
import { isBridge, isChipsetFunction } from '../analyze/pci-facts.js';
import { functionsOf, isSlotAddress } from '../pci/address.js';
import { guideFor } from './managers.js';
import type { HypervisorInfo, PveMapping, PveMappingEntry, VmDefinition, VmPciAssignment } from './types.js';

export function hypervisorInfo(snap: Snapshot): HypervisorInfo | null {
  return snap.hypervisor ?? null;
}

export function vmLabel(vm: VmDefinition): string {
  return guideFor(vm).label(vm);
}

/** The VMs a check looks at: the focused one (check --vm), or all. */
export function vmsInScope(info: HypervisorInfo): VmDefinition[] {
  if (!info.focus) return info.vms;
  return info.vms.filter((v) => matchesVm(v, info.focus!));
}

export function matchesVm(vm: VmDefinition, key: string): boolean {
  return vm.name === key || vm.id === key;
}

export interface MappingLookup {
  mapping: PveMapping | null;
  entry: PveMappingEntry | null;
}

/** The entry of a Proxmox mapping for this node. */
export function mappingFor(info: HypervisorInfo, name: string): MappingLookup {
  const mapping = info.pveMappings?.find((m) => m.name === name) ?? null;
  const entry = mapping?.entries.find((e) => e.node === null || info.node === null || e.node === info.node) ?? null;
  return { mapping, entry };
}

export interface AssignedFunction {
  vm: VmDefinition;
  assignment: VmPciAssignment;
  /** A full function address. */
  address: string;
  /** Present in the host's device list. */
  present: boolean;
  /** "hostpci0 of Proxmox VM 100". */
  reason: string;
}

/** Every host function a VM assignment stands for: slots expand to their functions, mappings to this node's entry. */
export function assignedFunctions(snap: Snapshot, info: HypervisorInfo, vm: VmDefinition): AssignedFunction[] {
  const known = new Set(snap.pci.map((d) => d.address));
  const out: AssignedFunction[] = [];
  for (const a of vm.devices) {
    const reason = guideFor(vm).reason(vm, a);
    const written = a.mapping ? mappingFor(info, a.mapping).entry?.paths ?? [] : a.addresses;
    for (const w of written) {
      const fns = functionsOf(w, known);
      for (const f of fns.length ? fns : isSlotAddress(w) ? [`${w}.0`] : [w]) {
        if (!out.some((o) => o.address === f && o.assignment === a)) out.push({ vm, assignment: a, address: f, present: known.has(f), reason });
      }
    }
  }
  return out;
}

/** An address that cannot be the device the VM was set up for (vm-hostdev-address reports it): making it a
 *  target would advise binding a bridge or the host's own disk or NIC to vfio-pci. */
function implausible(snap: Snapshot, address: string): boolean {
  const d = snap.pci.find((x) => x.address === address);
  if (!d) return true;
  if (isBridge(d) || isChipsetFunction(d)) return true;
  const critical = [...(snap.hostCritical.rootFilesystem?.devices ?? []), ...(snap.hostCritical.defaultRoute?.devices ?? [])];
  return critical.includes(address);
}

/** Targets taken from VM definitions; `focused` when check --vm names one VM (then only its devices count). */
export function vmTargets(snap: Snapshot): { focused: boolean; targets: { address: string; reason: string }[] } {
  const info = hypervisorInfo(snap);
  if (!info) return { focused: false, targets: [] };
  const targets = vmsInScope(info)
    .flatMap((vm) => assignedFunctions(snap, info, vm))
    .filter((f) => f.present && !implausible(snap, f.address))
    .map((f) => ({ address: f.address, reason: f.reason }));
  return { focused: Boolean(info.focus), targets };
}

/** For check --vm: the snapshot with the focus set, or the list of VMs when the key names none. */
export function focusOnVm(snap: Snapshot, key: string): { ok: true; snap: Snapshot } | { ok: false; known: string[] } {
  const info = hypervisorInfo(snap);
  const vms = info?.vms ?? [];
  if (!info || !vms.some((v) => matchesVm(v, key))) return { ok: false, known: vms.map((v) => guideFor(v).key(v)) };
  return { ok: true, snap: { ...snap, hypervisor: { ...info, focus: key } } };
}
