import type { Rule } from '../../rule.js';
import { inactiveReason } from '../../iommu-status.js';
import { kernelArgCommands } from '../../fixes/kernel-args.js';

export const iommuCmdline: Rule = {
  meta: {
    id: 'iommu-cmdline',
    layer: 'kernel',
    title: 'IOMMU options on the kernel command line',
    causes: ['iommu-disabled-cmdline'],
    description: 'The kernel command line does not switch the IOMMU off, and asks for it where the kernel leaves it off by default.',
  },
  check(ctx, out) {
    const r = inactiveReason(ctx);
    if (r.kind === 'cmdline-off') {
      out.report({
        cause: 'iommu-disabled-cmdline',
        severity: 'fail',
        title: `The kernel command line turns the IOMMU off (${r.option})`,
        evidence: r.evidence,
        decision: `Remove ${r.option} from the kernel command line${ctx.snap.host.cpu?.vendor === 'intel' ? ' and add intel_iommu=on' : ''}, then reboot.`,
        commands: kernelArgCommands(ctx.snap, {
          remove: [r.option.split('=')[0]!],
          add: ctx.snap.host.cpu?.vendor === 'intel' ? ['intel_iommu=on'] : [],
        }),
      });
    } else if (r.kind === 'default-off') {
      out.report({
        cause: 'iommu-disabled-cmdline',
        severity: 'fail',
        title: 'intel_iommu=on is missing, and this kernel leaves the Intel IOMMU off by default',
        evidence: r.evidence,
        decision:
          'The firmware exposes VT-d, but this kernel is built with the Intel IOMMU off unless asked (CONFIG_INTEL_IOMMU_DEFAULT_ON is not set, or the kernel config could not be read). Add intel_iommu=on to the kernel command line and reboot.',
        commands: kernelArgCommands(ctx.snap, { add: ['intel_iommu=on'] }),
      });
    }
  },
};
