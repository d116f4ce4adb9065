import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { kernelArgCommands } from '../../fixes/kernel-args.js';
import { originWords } from '../evidence-events.js';

// vfio-builtin-options judges modprobe.d against a built-in vfio-pci when modprobe.d was read. Captured
// output often shows only the kernel side (a config, a config diff): the consequence is then a warning
// and the question to settle, not silence.
export const vfioBuiltinConfig: Rule = {
  meta: {
    id: 'vfio-builtin-config',
    layer: 'modules',
    title: 'Built-in vfio-pci and unseen modprobe.d',
    causes: ['vfio-builtin-options-ignored'],
    description: 'When vfio-pci is built into the kernel and modprobe.d was not seen, says that modprobe.d options for vfio-pci cannot apply and asks for the configuration.',
  },
  check(ctx, out) {
    const s = ctx.snap;
    const cfg = s.kernelConfig?.options['CONFIG_VFIO_PCI'];
    if (ctx.moduleState('vfio_pci') !== 'builtin' && cfg !== 'y') return;
    if (s.sources['modprobe.d']?.status === 'read') return;
    if ((s.host.cmdline?.iommu.vfioPciIds?.length ?? 0) > 0) return;
    const changes = s.pasted?.kernelConfigChanges ?? [];
    const evidence: Evidence[] = [
      ...changes.filter((c) => /^CONFIG_VFIO(_PCI)?$/.test(c.option)).map((c) => ({ source: c.where, text: `${c.option}: ${c.before ?? 'unset'} -> ${c.after ?? 'unset'}` })),
    ];
    if (evidence.length === 0) evidence.push({ source: s.kernelConfig?.path ?? 'modules.builtin', text: 'CONFIG_VFIO_PCI=y (vfio-pci is built in)' });
    const becameBuiltin = changes.some((c) => c.option === 'CONFIG_VFIO_PCI' && c.before === 'm' && c.after === 'y');
    out.report({
      cause: 'vfio-builtin-options-ignored',
      severity: 'warn',
      title: becameBuiltin ? 'vfio-pci changed from a module to built in: modprobe.d options for it stop applying' : 'vfio-pci is built into this kernel: modprobe.d options for it do not apply',
      evidence,
      decision:
        'A built-in driver never reads modprobe.d: "options vfio-pci ids=..." and softdeps that order vfio-pci before a host driver do nothing, so host drivers keep the devices. Give the ids on the kernel command line (vfio-pci.ids=vvvv:dddd,...) instead; built-in vfio-pci then claims them before any module loads.',
      commands: kernelArgCommands(s, { add: ['vfio-pci.ids=<vendor:device>,<vendor:device>'] }),
    });
    out.cannotCheck(null, `whether vfio-pci is configured through modprobe.d (ignored when built in) is not in ${originWords(s)}`, 'grep -rn vfio /etc/modprobe.d; cat /proc/cmdline');
  },
};
