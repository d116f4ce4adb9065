import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { vfioDriver } from '../../pci-facts.js';

export const vfioNodes: Rule = {
  meta: {
    id: 'vfio-nodes',
    layer: 'hypervisor',
    title: '/dev/vfio nodes and permissions',
    causes: ['vfio-node-permissions'],
    description: '/dev/vfio/vfio (the container) and /dev/vfio/<group> exist for every group of a target bound to vfio-pci, and the container node is usable by every user.',
  },
  check(ctx, out) {
    if (ctx.iommuActive !== true) return;
    const nodes = ctx.snap.devnodes.vfio;
    const bound = ctx.targets.map((t) => ctx.device(t.address)).filter((d) => d && vfioDriver(d.driver) && d.iommuGroup !== null);
    if (nodes === null) {
      const rec = ctx.snap.sources['dev/vfio'];
      // Captured data (a paste, a sosreport) may not show /dev at all: only a look at the host that found nothing is a failure.
      if (bound.length > 0 && rec?.status === 'absent' && rec.path === undefined) {
        out.cannotCheck(null, rec.message ?? '/dev/vfio was not captured', 'ls -l /dev/vfio');
        return;
      }
      if (bound.length > 0) {
        out.report({
          cause: 'vfio-node-permissions',
          severity: 'fail',
          title: '/dev/vfio is missing although devices are bound to vfio-pci',
          evidence: [{ source: '/dev/vfio', text: 'not present' }],
          decision: 'The vfio module creates /dev/vfio when it loads. In a container (KubeVirt, LXC) the device nodes must be passed into it; on a host, check that udev runs and the vfio module is loaded.',
        });
      }
      return;
    }
    const byName = new Map(nodes.map((n) => [n.path.split('/').pop()!, n]));
    const container = byName.get('vfio');
    const evidence: Evidence[] = [];
    if (!container && ctx.snap.devnodes.vfioDevices === null) evidence.push({ source: '/dev/vfio/vfio', text: 'missing' });
    else if (container && (parseInt(container.mode, 8) & 0o006) !== 0o006) {
      evidence.push({ source: '/dev/vfio/vfio', text: `mode ${container.mode} owner ${container.owner ?? container.uid}:${container.group ?? container.gid} (normally 0666: it grants nothing by itself)` });
    }
    const groups = [...new Set(bound.map((d) => d!.iommuGroup!))];
    for (const g of groups) if (!byName.has(String(g))) evidence.push({ source: `/dev/vfio/${g}`, text: 'missing (group of a device bound to vfio-pci)' });
    if (evidence.length === 0) return;
    out.report({
      cause: 'vfio-node-permissions',
      severity: 'fail',
      title: 'VFIO device nodes are missing or not usable by the hypervisor',
      evidence,
      decision:
        'The hypervisor opens /dev/vfio/vfio and /dev/vfio/<group>. /dev/vfio/vfio is normally 0666 (it grants nothing alone); group nodes are root-owned and libvirt hands them to the qemu user when the VM starts. In containers, pass the nodes in with the right mode (device plugins must not create them 0600). Fix the owner or the udev rule for the hypervisor\'s user or group — never chmod 666 the group nodes.',
    });
  },
};
