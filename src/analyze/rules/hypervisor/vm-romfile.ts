import type { Rule } from '../../rule.js';
import { assignedFunctions, hypervisorInfo, vmLabel, vmsInScope } from '../../../hypervisor/vms.js';
import { configEvidence } from './vm-hostdev-address.js';
import { guideFor } from '../../../hypervisor/managers.js';
import { sh } from '../../shell.js';

export const vmRomfile: Rule = {
  meta: {
    id: 'vm-romfile',
    layer: 'hypervisor',
    title: 'VM ROM file present',
    causes: ['vm-config-mismatch'],
    description: 'A ROM image a VM gives for an assigned device (libvirt <rom file>, Proxmox romfile=, QEMU romfile=) exists on the host.',
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
          evidence: [configEvidence(vm, a, guideFor(vm).romFileText(a)), { source: a.romFile!, text: 'not present' }],
          decision: guideFor(vm).romFileAdvice,
          commands: [sh`ls -l ${a.romFile!}`],
        });
      }
    }
  },
};
