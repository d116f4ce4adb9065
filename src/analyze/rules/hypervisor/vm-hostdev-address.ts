import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { describeDevice, isBridge, isChipsetFunction, isDisplay } from '../../pci-facts.js';
import { assignedFunctions, hypervisorInfo, vmsInScope } from '../../../hypervisor/vms.js';
import type { VmPciAssignment } from '../../../hypervisor/types.js';
import { sh } from '../../shell.js';

export function configEvidence(a: VmPciAssignment, text: string = assignmentText(a)): Evidence {
  return a.line !== null ? { source: a.where, line: a.line, text } : { source: a.where, text };
}

/** The assignment as its format writes it, for evidence. */
export function assignmentText(a: VmPciAssignment): string {
  if (a.label.startsWith('hostdev')) return `<hostdev mode='subsystem' type='pci'${a.managed === null ? '' : ` managed='${a.managed ? 'yes' : 'no'}'`}> source ${a.addresses.join(' ')}`;
  return `${a.label}: ${a.mapping !== null ? `mapping=${a.mapping}` : a.addresses.join(';')}${a.primaryVga ? ',x-vga=1' : ''}`;
}

// libvirt and plain hostpci lines record only an address, not which device was there. What can be told
// apart is a device that cannot be the one meant: none at all, a bridge or chipset function, a device the
// host itself runs on, or a non-display function where the VM expects its primary GPU.
export const vmHostdevAddress: Rule = {
  meta: {
    id: 'vm-hostdev-address',
    layer: 'hypervisor',
    title: 'VM hostdev addresses on this host',
    causes: ['vm-config-mismatch'],
    description: 'Every PCI address a libvirt domain or Proxmox VM assigns (not through a mapping) exists on the host and still holds a device that can be the one meant.',
  },
  check(ctx, out) {
    const info = hypervisorInfo(ctx.snap);
    if (!info) return;
    const fns = vmsInScope(info).flatMap((vm) => assignedFunctions(ctx.snap, info, vm)).filter((f) => f.assignment.mapping === null);
    if (fns.length === 0) return;
    if (ctx.snap.sources['sys/bus/pci/devices']?.status !== 'read') {
      out.cannotCheck(null, 'the host\'s PCI device list was not read, so the VM definitions\' addresses cannot be compared with it', 'ls /sys/bus/pci/devices');
      return;
    }
    const critical = new Map<string, string>();
    for (const a of ctx.snap.hostCritical.rootFilesystem?.devices ?? []) critical.set(a, 'the controller of the host\'s root filesystem');
    for (const a of ctx.snap.hostCritical.defaultRoute?.devices ?? []) critical.set(a, `the host's network interface of the default route (${ctx.snap.hostCritical.defaultRoute!.interface})`);
    for (const f of fns) {
      const d = ctx.device(f.address);
      const cfg = configEvidence(f.assignment);
      let problem: string | null = null;
      if (!d) problem = 'is not on this host';
      else if (isBridge(d) || isChipsetFunction(d)) problem = `now holds a ${isBridge(d) ? 'PCI bridge' : 'chipset function'} (${describeDevice(d)})`;
      else if (critical.has(d.address)) problem = `now holds ${critical.get(d.address)} (${describeDevice(d)})`;
      else if (f.assignment.primaryVga && !isDisplay(d) && f.address.endsWith('.0')) problem = `is marked as the guest's primary GPU (x-vga=1) but holds ${describeDevice(d)}, class ${d.classCode}, not a display controller`;
      if (problem === null) continue;
      out.report({
        cause: 'vm-config-mismatch',
        severity: 'fail',
        subject: f.address,
        title: `${f.reason} names ${f.address}, which ${problem}`,
        evidence: [cfg, d ? { source: `/sys/bus/pci/devices/${d.address}`, text: `${describeDevice(d)}, driver ${d.driver ?? 'none'}` } : { source: '/sys/bus/pci/devices', text: `${f.address} not present` }],
        decision:
          'The device the VM was set up for is not at this address (any more): bus numbers shift when a card is added, moved or removed, when a BIOS update changes the slot layout, or when SR-IOV VFs have not been created yet. Find the device\'s current address and correct the VM definition' +
          (f.vm.manager === 'proxmox' ? ' (a PCI resource mapping, Datacenter > Resource Mappings, is checked against the device id at every start).' : ' (virsh edit; with managed=\'yes\' libvirt would otherwise bind whatever now sits there to vfio-pci).'),
        commands: ['lspci -nn', f.vm.manager === 'proxmox' ? sh`qm config ${f.vm.id ?? f.vm.name}` : sh`virsh dumpxml ${f.vm.name} | grep -A3 "<hostdev"`],
      });
    }
  },
};
