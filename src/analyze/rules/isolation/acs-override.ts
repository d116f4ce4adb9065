import type { Rule } from '../../rule.js';
import { logMatches } from '../../log-evidence.js';
import { kernelArgCommands } from '../../fixes/kernel-args.js';

export const acsOverride: Rule = {
  meta: {
    id: 'acs-override',
    layer: 'isolation',
    title: 'ACS override in use',
    causes: ['acs-override-in-use'],
    description: 'pcie_acs_override is not in use (it fakes isolation the hardware does not provide).',
    warnOnly: true,
  },
  check(ctx, out) {
    const v = ctx.snap.host.cmdline?.iommu.pcieAcsOverride;
    if (v === null || v === undefined) return;
    const applied = logMatches(ctx.snap, /ACS overrides|pcie_acs_override/i, 2);
    out.report({
      cause: 'acs-override-in-use',
      severity: 'warn',
      title: `ACS override is on (pcie_acs_override=${v})`,
      evidence: [{ source: '/proc/cmdline', text: `pcie_acs_override=${v}` }, ...applied],
      decision:
        'The override splits groups by pretending bridges and multifunction devices isolate peer-to-peer traffic. A device in a "split" group can still DMA to its former group mates: a guest can read or corrupt what they transfer. It is not in mainline kernels (Proxmox, zen, liquorix carry the patch; elsewhere it is silently ignored). Acceptable on a single-user lab host by decision; elsewhere move the device to a slot that isolates and remove the option.',
      commands: kernelArgCommands(ctx.snap, { remove: ['pcie_acs_override'] }),
    });
  },
};
