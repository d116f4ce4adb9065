import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { eventsOf, toolLines } from '../evidence-events.js';

// The VM manager asks for something the host does not have: a device node of an interface the kernel does
// not offer (VFIO cdevs without CONFIG_VFIO_DEVICE_CDEV), a PCI address that is gone, a VM configuration
// naming a function the host's complete device list lacks.
const NO_DEVICE = /no PCI device found for '([^']+)'|Device ([0-9a-fA-F:.]+) not found: could not access|PCI device ([0-9a-fA-F:.]+) (?:is not found|not found)/;

export const vmConfigMismatch: Rule = {
  meta: {
    id: 'vm-config-mismatch',
    layer: 'hypervisor',
    title: 'VM manager asks for what the host has',
    causes: ['vm-config-mismatch'],
    description: 'What the VM manager asks for exists on the host: the VFIO device nodes of the interface it uses, and the PCI devices its error messages name.',
  },
  check(ctx, out) {
    const s = ctx.snap;
    const cdev = eventsOf(s, ['vfio-node-unavailable']).filter((e) => /\/dev\/vfio\/devices\//.test(String(e.event.fields['node'])) && /no such file/.test(String(e.event.fields['error'])));
    if (cdev.length > 0) {
      const related = toolLines(s, /failed to (?:generate|create) (?:container )?spec|virt-launcher|device plugin/i).map((t) => t.evidence);
      const evidence: Evidence[] = [...related, ...cdev.map((e) => e.evidence)].filter((e, i, all) => all.findIndex((x) => x.source === e.source && x.line === e.line) === i).slice(0, 5);
      const cfg = s.kernelConfig?.options;
      if (cfg?.['CONFIG_VFIO_DEVICE_CDEV'] !== undefined) evidence.push({ source: s.kernelConfig!.path, text: `CONFIG_VFIO_DEVICE_CDEV=${cfg['CONFIG_VFIO_DEVICE_CDEV']}` });
      const nodes = s.devnodes.vfioDevices;
      if (nodes !== null) evidence.push({ source: '/dev/vfio/devices', text: nodes.length ? nodes.map((n) => n.path).join(' ') : 'empty' });
      out.report({
        cause: 'vm-config-mismatch',
        severity: 'fail',
        title: `The VM manager expects VFIO device nodes (${String(cdev[0]!.event.fields['node'])}) that this host does not have`,
        evidence,
        decision:
          'The VFIO cdev interface (/dev/vfio/devices/vfioN, used with iommufd) exists only on kernels built with CONFIG_VFIO_DEVICE_CDEV (6.6+, with CONFIG_IOMMUFD); this one offers the group interface (/dev/vfio/<group>) instead. The VM manager must use what the host has: for KubeVirt, upgrade to a release that falls back to /dev/vfio/<group> when the cdev is absent (or keep the IOMMUFD feature gate off with a release that honours it); otherwise boot a kernel with CONFIG_VFIO_DEVICE_CDEV=y.',
        commands: ['ls -l /dev/vfio /dev/vfio/devices', 'grep -e VFIO_DEVICE_CDEV -e IOMMUFD /boot/config-$(uname -r)'],
      });
    }
    for (const t of toolLines(s, NO_DEVICE)) {
      const m = NO_DEVICE.exec(t.message.text)!;
      const a = m[1] ?? m[2] ?? m[3]!;
      out.report({
        cause: 'vm-config-mismatch',
        severity: 'fail',
        subject: ctx.device(a)?.address ?? a,
        title: `The VM definition names PCI device ${a}, which the host does not have`,
        evidence: [t.evidence],
        decision: 'Addresses change when cards move, when a BIOS update or a new device renumbers the buses, or when SR-IOV VFs are not created yet. Compare the VM\'s hostdev / hostpci entries with "lspci -nn" and point them at the device\'s current address (Proxmox resource mappings by vendor:device id survive renumbering).',
        commands: ['lspci -nn', 'lspci -tv'],
      });
    }
  },
};
