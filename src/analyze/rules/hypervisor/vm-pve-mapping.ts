import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { idPair } from '../../pci-facts.js';
import { isSlotAddress } from '../../../pci/address.js';
import { hypervisorInfo, mappingFor, vmLabel, vmsInScope } from '../../../hypervisor/vms.js';
import { configEvidence } from './vm-hostdev-address.js';
import { sh } from '../../shell.js';

// Proxmox VE checks a mapped device against its mapping at every start (vendor:device, subsystem id and
// IOMMU group) and refuses to start the VM when any of them changed.
export const vmPveMapping: Rule = {
  meta: {
    id: 'vm-pve-mapping',
    layer: 'hypervisor',
    title: 'Proxmox PCI mappings',
    causes: ['vm-config-mismatch'],
    description: 'Every Proxmox hostpciN mapping=NAME exists in /etc/pve/mapping/pci.cfg, has an entry for this node, and its path, ids and IOMMU group match the host.',
  },
  check(ctx, out) {
    const info = hypervisorInfo(ctx.snap);
    if (!info) return;
    for (const vm of vmsInScope(info)) {
      for (const a of vm.devices.filter((x) => x.mapping !== null)) {
        // Pasted text holds the VM's configuration but not the cluster's mapping file: unknown, not absent.
        if (info.pveMappings === null && ctx.snap.origin.kind === 'paste') {
          out.cannotCheck(null, `${a.label} of ${vmLabel(vm)} uses mapping ${a.mapping}, and /etc/pve/mapping/pci.cfg is not in the input`, 'cat /etc/pve/mapping/pci.cfg');
          continue;
        }
        const cfg = configEvidence(vm, a);
        const { mapping, entry } = mappingFor(info, a.mapping!);
        const problems: Evidence[] = [];
        let subject: string | null = null;
        if (!mapping) problems.push({ source: '/etc/pve/mapping/pci.cfg', text: info.pveMappings === null ? 'file not present' : `no mapping named ${a.mapping}` });
        else if (!entry) problems.push({ source: mapping.where, text: `mapping ${mapping.name} has no entry for node ${info.node ?? '(unknown)'}` });
        else {
          for (const p of entry.paths) {
            const addr = isSlotAddress(p) ? `${p}.0` : p;
            subject ??= addr;
            const d = ctx.device(addr);
            const at = { source: mapping.where, line: entry.line };
            if (!d) {
              problems.push({ ...at, text: `path ${p}: no such device on this host` });
              continue;
            }
            if (entry.id !== null && entry.id !== idPair(d)) problems.push({ ...at, text: `path ${p}: mapping id ${entry.id}, the device there is ${idPair(d)}` });
            const sub = d.subsystemVendorId && d.subsystemDeviceId ? `${d.subsystemVendorId}:${d.subsystemDeviceId}` : null;
            if (entry.subsystemId !== null && sub !== null && entry.subsystemId !== sub) problems.push({ ...at, text: `path ${p}: mapping subsystem-id ${entry.subsystemId}, the device has ${sub}` });
            if (entry.iommuGroup !== null && d.iommuGroup !== null && entry.iommuGroup !== d.iommuGroup) problems.push({ ...at, text: `path ${p}: mapping iommugroup ${entry.iommuGroup}, the device is in group ${d.iommuGroup}` });
          }
          if (entry.paths.length === 0) problems.push({ source: mapping.where, line: entry.line, text: 'entry has no path' });
        }
        if (problems.length === 0) continue;
        out.report({
          cause: 'vm-config-mismatch',
          severity: 'fail',
          subject,
          title: `${a.label} of ${vmLabel(vm)} uses mapping ${a.mapping}, which no longer matches the host: Proxmox will refuse to start the VM`,
          evidence: [cfg, ...problems],
          decision:
            'Proxmox compares a mapped device with what the mapping recorded each time the VM starts. The card moved (new address), was replaced, or the IOMMU groups changed (kernel or BIOS update, ACS settings). Edit the mapping for this node (Datacenter > Resource Mappings) to point at the device\'s current address, so its ids and group are recorded afresh.',
          commands: ['lspci -nn', 'cat /etc/pve/mapping/pci.cfg', sh`pvesh get /cluster/mapping/pci/${a.mapping!}`],
        });
      }
    }
  },
};
