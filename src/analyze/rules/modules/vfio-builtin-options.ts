import type { Rule } from '../../rule.js';
import { kernelArgCommands } from '../../fixes/kernel-args.js';
import { idSpecMatches, vfioDriver } from '../../pci-facts.js';

export const vfioBuiltinOptions: Rule = {
  meta: {
    id: 'vfio-builtin-options',
    layer: 'modules',
    title: 'Built-in vfio-pci ignores modprobe.d options',
    causes: ['vfio-builtin-options-ignored'],
    description: 'When vfio-pci is built into the kernel, its ids come from the command line, not from modprobe.d.',
  },
  check(ctx, out) {
    if (ctx.moduleState('vfio_pci') !== 'builtin') return;
    const fromModprobe = ctx.vfioIds.filter((s) => s.where === 'modprobe');
    const onCmdline = ctx.vfioIds.some((s) => s.where === 'cmdline');
    if (fromModprobe.length === 0 || onCmdline) return;
    const ids = [...new Set(fromModprobe.flatMap((s) => s.ids))];
    const affected = ctx.snap.pci.filter((d) => ids.some((i) => idSpecMatches(i, d)));
    const notBound = affected.filter((d) => !vfioDriver(d.driver));
    out.report({
      cause: 'vfio-builtin-options-ignored',
      severity: notBound.length > 0 ? 'fail' : 'warn',
      title: 'vfio-pci is built into this kernel, so "options vfio-pci ids=" in modprobe.d is ignored',
      evidence: [
        { source: `/lib/modules/${ctx.snap.host.kernelRelease ?? '?'}/modules.builtin`, text: 'vfio_pci is built in' },
        ...fromModprobe.map((s) => s.evidence),
        ...notBound.map((d) => ({ source: `/sys/bus/pci/devices/${d.address}/driver`, text: d.driver ?? 'no driver' })),
      ],
      decision: `A built-in driver never reads modprobe.d. Put the ids on the kernel command line instead (vfio-pci.ids=${ids.join(',')}); built-in vfio-pci then claims them before any host driver.`,
      commands: kernelArgCommands(ctx.snap, { add: [`vfio-pci.ids=${ids.join(',')}`] }),
    });
  },
};
