// The Proxmox VE adapter: VM configurations (/etc/pve/qemu-server/<vmid>.conf, qm config output, pasted)
// -> VmDefinition, and PCI resource mappings (/etc/pve/mapping/pci.cfg).
import type { PveMapping, PveMappingEntry, QemuIdentity, VmDefinition, VmPciAssignment } from './types.js';
import { isSlotAddress, normalisePciAddress } from '../pci/address.js';

export interface ParsedPveVm {
  vmid: string | null;
  name: string | null;
  memoryMiB: number | null;
  onboot: boolean;
  hugepages: boolean;
  machine: string | null;
  viommu: string | null;
  firmware: 'bios' | 'uefi';
  kvmHidden: boolean | null;
  hypervVendorId: string | null;
  devices: VmPciAssignment[];
}

/** hostpci and mapping paths: "01:00.0", "0000:01:00.0", or "01:00" for the whole slot; segment 0 when unsaid. */
export function pveAddress(text: string): string | null {
  return normalisePciAddress(text, { slot: true, segment: 0 });
}

/** key=value options of a property string; the first bare value is returned as "" key. */
function properties(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) out[''] = part.trim();
    else out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

const on = (v: string | undefined) => (v === undefined ? null : v === '1' || v === 'on' || v === 'yes' || v === 'true');

/** `vmid` is null when pasted text does not say which VM it is; `lineOffset` as for parseDomainXml. */
export function parsePveVmConfig(text: string, vmid: string | null, where: string, lineOffset = 0): ParsedPveVm {
  // Proxmox boots SeaBIOS unless bios: ovmf.
  const vm: ParsedPveVm = { vmid, name: null, memoryMiB: null, onboot: false, hugepages: false, machine: null, viommu: null, firmware: 'bios', kvmHidden: null, hypervVendorId: null, devices: [] };
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    // Snapshots follow the current configuration as [name] sections; they are not what starts.
    if (/^\[[^\]]+\]\s*$/.test(raw)) break;
    const m = /^([a-z][a-z0-9_-]*):\s*(.*)$/.exec(raw.trim());
    if (!m) continue;
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'name') vm.name = value.trim();
    else if (key === 'memory') {
      // PVE 8 also accepts "memory: current=4096".
      const p = properties(value);
      const mib = Number(p['current'] ?? p['']);
      vm.memoryMiB = Number.isFinite(mib) && mib > 0 ? mib : null;
    } else if (key === 'onboot') vm.onboot = on(value.trim()) === true;
    else if (key === 'hugepages') vm.hugepages = value.trim() !== '';
    else if (key === 'bios') vm.firmware = value.trim() === 'ovmf' ? 'uefi' : 'bios';
    else if (key === 'machine') {
      // "q35", "pc-q35-8.1", or the property form "type=q35,viommu=intel".
      const p = properties(value);
      vm.machine = p['type'] ?? p[''] ?? null;
      vm.viommu = p['viommu'] ?? null;
    } else if (key === 'cpu') {
      const p = properties(value);
      vm.kvmHidden = on(p['hidden']);
      vm.hypervVendorId = p['hv-vendor-id'] ?? null;
    }
    else if (/^hostpci\d+$/.test(key)) {
      const p = properties(value);
      const host = p['host'] ?? p[''] ?? '';
      const mapping = p['mapping'] ?? null;
      const addresses = mapping ? [] : host.split(';').map(pveAddress).filter((a): a is string => a !== null);
      const romfile = p['romfile'] ?? null;
      vm.devices.push({
        label: key,
        addresses,
        mapping,
        managed: null,
        romBar: on(p['rombar']),
        // A relative romfile is looked up in /usr/share/kvm.
        romFile: romfile === null ? null : romfile.startsWith('/') ? romfile : `/usr/share/kvm/${romfile}`,
        romFileFound: null,
        guestAddress: null,
        multifunction: addresses.length > 1 || addresses.some(isSlotAddress) ? true : null,
        primaryVga: on(p['x-vga']) === true,
        pcie: on(p['pcie']),
        where,
        line: n + 1 + lineOffset,
      });
    }
  }
  return vm;
}

/** The model of a parsed configuration. Proxmox runs every QEMU as root. */
export function proxmoxVm(v: ParsedPveVm, file: string, line: number | null, runAs: QemuIdentity | null, autostart: boolean | null): VmDefinition {
  return {
    manager: 'proxmox',
    name: v.name ?? v.vmid ?? 'unnamed',
    id: v.vmid,
    file,
    line,
    memoryKiB: v.memoryMiB === null ? null : v.memoryMiB * 1024,
    hugepages: v.hugepages,
    hardLimitKiB: null,
    lockedMemory: false,
    viommu: v.viommu,
    machine: v.machine,
    firmware: v.firmware,
    kvmHidden: v.kvmHidden,
    hypervVendorId: v.hypervVendorId,
    autostart,
    session: false,
    devices: v.devices,
    runAs,
  };
}

/** /etc/pve/mapping/pci.cfg: a name line, then indented "map key=value,..." lines. */
export function parsePveMappings(text: string, where: string): PveMapping[] {
  const out: PveMapping[] = [];
  let cur: PveMapping | null = null;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    if (raw.trim() === '' || raw.trim().startsWith('#')) continue;
    if (!/^\s/.test(raw)) {
      // Section headers are the bare mapping name; accept "pci: name" too.
      const name = raw.trim().replace(/^pci:\s*/, '');
      cur = { name, entries: [], where };
      out.push(cur);
      continue;
    }
    const m = /^\s+map\s+(.*)$/.exec(raw);
    if (!cur || !m) continue;
    const p = properties(m[1]!);
    const group = p['iommugroup'] !== undefined ? Number(p['iommugroup']) : NaN;
    const entry: PveMappingEntry = {
      node: p['node'] ?? null,
      paths: (p['path'] ?? '').split(';').map(pveAddress).filter((a): a is string => a !== null),
      id: p['id']?.toLowerCase() ?? null,
      subsystemId: p['subsystem-id']?.toLowerCase() ?? null,
      iommuGroup: Number.isInteger(group) ? group : null,
      line: n + 1,
    };
    cur.entries.push(entry);
  }
  return out;
}
