import type { Rule } from '../../rule.js';
import type { DevNode } from '../../../snapshot/types.js';
import type { QemuIdentity } from '../../../hypervisor/types.js';
import { assignedFunctions, hypervisorInfo, vmLabel, vmsInScope } from '../../../hypervisor/vms.js';
import { sh, showEscaped, udevSafe } from '../../shell.js';

function canOpen(n: DevNode, who: QemuIdentity): boolean {
  const mode = parseInt(n.mode, 8);
  if (who.uid === 0) return true;
  if (who.uid === n.uid) return (mode & 0o600) === 0o600;
  if (who.gids.includes(n.gid)) return (mode & 0o060) === 0o060;
  return (mode & 0o006) === 0o006;
}

// libvirt normally hands /dev/vfio/<group> to the QEMU user when the VM starts (dynamic_ownership), and
// Proxmox runs QEMU as root: only a non-root QEMU without dynamic ownership depends on the node's mode
// and owner as they are now. The container node /dev/vfio/vfio is the vfio-nodes rule's.
export const vmVfioAccess: Rule = {
  meta: {
    id: 'vm-vfio-access',
    layer: 'hypervisor',
    title: 'VM process can open its VFIO nodes',
    causes: ['vfio-node-permissions'],
    description: "When libvirt does not hand device nodes to QEMU itself (dynamic_ownership = 0), /dev/vfio/<group> of each assigned device is readable and writable by QEMU's user or group.",
  },
  check(ctx, out) {
    const info = hypervisorInfo(ctx.snap);
    const nodes = ctx.snap.devnodes.vfio;
    if (!info || nodes === null) return;
    for (const vm of vmsInScope(info)) {
      const who = vm.runAs;
      if (who === null || who.uid === 0 || who.dynamicOwnership) continue;
      const groups = [...new Set(assignedFunctions(ctx.snap, info, vm).map((f) => ctx.device(f.address)?.iommuGroup).filter((g): g is number => g !== null && g !== undefined))];
      if (groups.length === 0) continue;
      if (who.uid === null) {
        out.cannotCheck(null, `QEMU's user ${who.user} (${who.from}) is not in /etc/passwd`, sh`getent passwd ${who.user}`);
        continue;
      }
      const bad = groups.map((g) => nodes.find((n) => n.path === `/dev/vfio/${g}`)).filter((n): n is DevNode => n !== undefined && !canOpen(n, who));
      if (bad.length === 0) continue;
      out.report({
        cause: 'vfio-node-permissions',
        severity: 'fail',
        subject: null,
        title: `QEMU of ${vmLabel(vm)} runs as ${who.user}:${who.group} and cannot open ${bad.map((n) => n.path).join(', ')}`,
        evidence: [
          { source: who.from, text: `QEMU runs as ${who.user} (uid ${who.uid}, groups ${who.gids.join(',')}); dynamic_ownership = 0` },
          ...bad.map((n) => ({ source: n.path, text: `mode ${n.mode} owner ${n.owner ?? n.uid}:${n.group ?? n.gid}` })),
        ],
        decision: `With dynamic_ownership = 0 libvirt leaves /dev/vfio/<group> as udev created it (root, 0600), so QEMU as ${who.user} gets "Permission denied". Either set dynamic_ownership = 1 in /etc/libvirt/qemu.conf (the default) and restart the libvirt daemon, or give the group nodes to QEMU's group with a udev rule (SUBSYSTEM=="vfio", GROUP="${who.group}", MODE="0660"). Do not make them world-writable: any local user could then take the device and DMA into it.`,
        commands: ['ls -l /dev/vfio', udevSafe(who.group) ? sh`echo 'SUBSYSTEM=="vfio", GROUP="${who.group}", MODE="0660"' > /etc/udev/rules.d/90-vfio-qemu.rules` : `# no udev rule printed: the group name ${JSON.stringify(showEscaped(who.group))} cannot stand in a udev rule`, 'udevadm control --reload && udevadm trigger --subsystem-match=vfio'],
      });
    }
  },
};
