// With vfio-pci built into the new kernel, "options vfio-pci ids=" in modprobe.d is never read: the ids
// must be on the command line. A kernel update that turns VFIO from modular to built in breaks this.

import type { Finding } from '../../analyze/finding.js';
import { kernelArgCommands } from '../../analyze/fixes/kernel-args.js';
import { idSpecMatches } from '../../analyze/pci-facts.js';
import { parseCmdline } from '../../parse/cmdline.js';
import { finding } from '../finding.js';
import { moduleAvailable } from '../next-kernel.js';
import type { PreflightCheck, PreflightInput } from '../types.js';

export function checkBuiltinIds(input: PreflightInput): Finding[] {
  const { ctx, kernel, cmdline } = input;
  if (moduleAvailable(kernel, 'vfio_pci') !== 'builtin') return [];
  const cmdIds = parseCmdline(cmdline.raw).iommu.vfioPciIds ?? [];
  const fromModprobe = ctx.vfioIds.filter((s) => s.where === 'modprobe');
  if (fromModprobe.length === 0) return [];
  const uncovered = ctx.targets.filter((t) => {
    const d = ctx.device(t.address);
    return d !== undefined && fromModprobe.some((s) => s.ids.some((id) => idSpecMatches(id, d))) && !cmdIds.some((id) => idSpecMatches(id, d));
  });
  if (uncovered.length === 0) return [];
  const ids = [...new Set(fromModprobe.flatMap((s) => s.ids))];
  return [finding({
    id: 'builtin-ids',
    cause: 'vfio-builtin-options-ignored',
    severity: 'fail',
    subject: uncovered[0]!.address,
    title: `vfio-pci is built into ${kernel.version}, so the ids in modprobe.d will be ignored for ${uncovered.map((t) => t.address).join(', ')}`,
    evidence: [...fromModprobe.map((s) => s.evidence), { source: `${kernel.modulesDir}/modules.builtin`, text: 'vfio-pci is built in' }, { source: cmdline.source, text: cmdline.raw || '(empty)' }],
    decision: 'Put the ids on the command line of the next boot as vfio-pci.ids=.',
    commands: kernelArgCommands(ctx.snap, { add: [`vfio-pci.ids=${ids.join(',')}`] }),
  })];
}

export const builtinIds: PreflightCheck = {
  meta: {
    id: 'builtin-ids',
    layer: 'modules',
    causes: ['vfio-builtin-options-ignored'],
    title: 'Built-in vfio-pci on the next kernel',
    description: 'When the next kernel has vfio-pci built in, the ids it must claim are on its command line, not only in modprobe.d (which a built-in driver never reads).',
    fix: 'Put the ids on the command line of the next boot as vfio-pci.ids=.',
    reports: ['preflight.builtin-ids'],
  },
  check: checkBuiltinIds,
};
