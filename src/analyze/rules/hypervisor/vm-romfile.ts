import type { Rule } from '../../rule.js';
import { assignedFunctions, hypervisorInfo, vmLabel, vmsInScope } from '../../../hypervisor/vms.js';
import { configEvidence } from './vm-hostdev-address.js';
import { sh } from '../../shell.js';

export const vmRomfile: Rule = {
  meta: {
    id: 'vm-romfile',
    layer: 'hypervisor',
    title: 'VM ROM file present',
    causes: ['vm-config-mismatch'],
    description: 'A ROM image a VM gives for an assigned device (libvirt <rom file>, Proxmox romfile=) exists on the host.',
  },
  check(ctx, out) {
    const info = hypervisorInfo(ctx.snap);
    if (!info) return;
    for (const vm of vmsInScope(info)) {
      for (const a of vm.devices.filter((x) => x.romFile !== null && x.romFileFound === false)) {
        const subject = assignedFunctions(ctx.snap, info, { ...vm, devices: [a] })[0]?.address ?? null;
        out.report({
          cause: 'vm-config-mismatch',
          severity: 'fail',
          subject,
          title: `${vmLabel(vm)} loads the ROM image ${a.romFile} for ${a.label}, which does not exist`,
          evidence: [configEvidence(a, vm.manager === 'proxmox' ? `${a.label}: romfile=${a.romFile!.replace('/usr/share/kvm/', '')}` : `<rom file='${a.romFile}'/>`), { source: a.romFile!, text: 'not present' }],
          decision:
            vm.manager === 'proxmox'
              ? 'QEMU will not start without the ROM file. Proxmox looks for romfile= in /usr/share/kvm/: copy the dumped or downloaded vBIOS there under that name, or remove romfile= to use the card\'s own ROM.'
              : 'QEMU will not start without the ROM file. Put the image where the domain says (a path the QEMU user may read and that AppArmor/SELinux allow, such as /usr/share/vgabios or /var/lib/libvirt/vbios), or remove the <rom file> to use the card\'s own ROM.',
          commands: [sh`ls -l ${a.romFile!}`],
        });
      }
    }
  },
};
