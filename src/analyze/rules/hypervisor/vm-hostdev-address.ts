import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { describeDevice, isBridge, isChipsetFunction, isDisplay } from '../../pci-facts.js';
import { assignedFunctions, hypervisorInfo, vmsInScope } from '../../../hypervisor/vms.js';
import type { VmDefinition, VmPciAssignment } from '../../../hypervisor/types.js';
import type { Snapshot } from '../../../snapshot/types.js';
import { guideFor } from '../../../hypervisor/managers.js';

/** The assignment as its format writes it, where it is written. */
export function configEvidence(vm: VmDefinition, a: VmPciAssignment, text: string = guideFor(vm).assignmentText(a)): Evidence {
  return a.line !== null ? { source: a.where, line: a.line, text } : { source: a.where, text };
}

/** The host's whole device list was read (sysfs, or an lspci listing that starts at the host bridge): an
 *  address missing from it is missing from the host. A paste of a few lspci lines says nothing of the rest. */
function inventoryComplete(s: Snapshot): boolean {
  if (s.sources['sys/bus/pci/devices']?.status === 'read') return true;
  return s.sources['lspci']?.status === 'read' && s.pci.some((d) => d.address === '0000:00:00.0' && d.vendorId !== 'ffff');
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
    description: 'Every PCI address a VM definition assigns (not through a mapping) exists on the host and still holds a device that can be the one meant; when the host\'s device list is not known (a paste without a full lspci), this is not checked.',
  },
  check(ctx, out) {
    const info = hypervisorInfo(ctx.snap);
    if (!info) return;
    const fns = vmsInScope(info).flatMap((vm) => assignedFunctions(ctx.snap, info, vm)).filter((f) => f.assignment.mapping === null);
    if (fns.length === 0) return;
    if (!inventoryComplete(ctx.snap)) {
      out.cannotCheck(null, 'the host\'s PCI device list was not read, so the VM definitions\' addresses cannot be compared with it', 'lspci -nn');
      return;
    }
    const critical = new Map<string, string>();
    for (const a of ctx.snap.hostCritical.rootFilesystem?.devices ?? []) critical.set(a, 'the controller of the host\'s root filesystem');
    for (const a of ctx.snap.hostCritical.defaultRoute?.devices ?? []) critical.set(a, `the host's network interface of the default route (${ctx.snap.hostCritical.defaultRoute!.interface})`);
    for (const f of fns) {
      const d = ctx.device(f.address);
      const cfg = configEvidence(f.vm, f.assignment);
      const guide = guideFor(f.vm);
      if (!d) {
        out.report({
          cause: 'vm-config-mismatch',
          severity: 'fail',
          subject: f.address,
          title: `${guide.label(f.vm)} asks for ${f.address}, which this host does not have`,
          evidence: [cfg, { source: ctx.snap.sources['sys/bus/pci/devices']?.status === 'read' ? '/sys/bus/pci/devices' : 'lspci', text: `${f.address} not present` }],
          decision:
            'No device is at this address (any more): bus numbers shift when a card is added, moved or removed, when a BIOS update changes the slot layout, or when SR-IOV VFs have not been created yet. Find the device\'s current address and correct the VM definition' +
            guide.addressAdvice,
          commands: ['lspci -nn', guide.show(f.vm)],
        });
        continue;
      }
      let problem: string | null = null;
      if (isBridge(d) || isChipsetFunction(d)) problem = `now holds a ${isBridge(d) ? 'PCI bridge' : 'chipset function'} (${describeDevice(d)})`;
      else if (critical.has(d.address)) problem = `now holds ${critical.get(d.address)} (${describeDevice(d)})`;
      else if (f.assignment.primaryVga && !isDisplay(d) && f.address.endsWith('.0')) problem = `is marked as the guest's primary GPU (x-vga=1) but holds ${describeDevice(d)}, class ${d.classCode}, not a display controller`;
      if (problem === null) continue;
      out.report({
        cause: 'vm-config-mismatch',
        severity: 'fail',
        subject: f.address,
        title: `${f.reason} names ${f.address}, which ${problem}`,
        evidence: [cfg, { source: `/sys/bus/pci/devices/${d.address}`, text: `${describeDevice(d)}, driver ${d.driver ?? 'none'}` }],
        decision:
          'The device the VM was set up for is not at this address (any more): bus numbers shift when a card is added, moved or removed, when a BIOS update changes the slot layout, or when SR-IOV VFs have not been created yet. Find the device\'s current address and correct the VM definition' +
          guide.addressAdvice,
        commands: ['lspci -nn', guide.show(f.vm)],
      });
    }
  },
};
