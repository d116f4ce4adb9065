import type { Rule } from '../../rule.js';
import { kernelAtLeast } from '../../context.js';
import { configMentions } from '../../module-config.js';
import { logMatches } from '../../log-evidence.js';
import { rebuildInitramfsCommand } from '../../fixes/initramfs.js';
import { sh, literalRegex } from '../../shell.js';

// vfio_virqfd was folded into vfio.ko in 6.2; vfio_pci_core was split out of vfio_pci in 5.15.
export const moduleRenamed: Rule = {
  meta: {
    id: 'module-renamed',
    layer: 'modules',
    title: 'Renamed VFIO modules in the configuration',
    causes: ['module-renamed'],
    description: 'Configuration names only VFIO modules this kernel has (no vfio_virqfd on 6.2+, no vfio_pci_core before 5.15).',
  },
  check(ctx, out) {
    const k = ctx.kernel;
    const checks: { module: string; gone: boolean | null; why: string }[] = [
      {
        module: 'vfio_virqfd',
        gone: ctx.moduleState('vfio_virqfd') === 'missing' ? true : kernelAtLeast(k, 6, 2),
        why: 'vfio_virqfd was merged into vfio in kernel 6.2: there is no such module any more, and its function is always there',
      },
      {
        module: 'vfio_pci_core',
        gone: k === null ? null : !kernelAtLeast(k, 5, 15),
        why: 'vfio_pci_core exists only from kernel 5.15 on',
      },
    ];
    for (const c of checks) {
      if (c.gone !== true) continue;
      const mentions = configMentions(ctx.snap, c.module);
      if (mentions.length === 0) continue;
      const initramfsBuild = mentions.some((m) => m.stage === 'initramfs');
      const logLines = logMatches(ctx.snap, new RegExp(`${c.module}.*not found|Failed to find module '?${c.module}`), 3);
      out.report({
        cause: 'module-renamed',
        severity: initramfsBuild ? 'fail' : 'warn',
        title: `Configuration loads ${c.module}, which kernel ${ctx.snap.host.kernelRelease ?? '?'} does not have`,
        evidence: [...mentions.map(({ stage: _s, ...e }) => e), ...logLines],
        decision: `${c.why}. Remove ${c.module} from the files above${initramfsBuild ? '; the initramfs generator fails on a module it cannot find, so the new initramfs may not have been built at all' : ' (modprobe prints "Module ' + c.module + ' not found" at boot; the rest still loads)'}, then rebuild the initramfs.`,
        commands: [...[...new Set(mentions.map((m) => m.source))].map((f) => sh`sed -i 's/\\b${literalRegex(c.module)}\\b//g' ${f}`), rebuildInitramfsCommand(ctx.snap)],
      });
    }
  },
};
