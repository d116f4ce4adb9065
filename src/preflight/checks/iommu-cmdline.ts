// IOMMU flags on the command line the new kernel will get, judged against that kernel's own defaults
// (a distribution may flip CONFIG_INTEL_IOMMU_DEFAULT_ON between releases).

import type { Finding } from '../../analyze/finding.js';
import { kernelArgCommands } from '../../analyze/fixes/kernel-args.js';
import { intelDefaultLine, intelDefaultOnInConfig } from '../../analyze/iommu-status.js';
import { parseCmdline } from '../../parse/cmdline.js';
import { finding } from '../finding.js';
import type { PreflightCheck, PreflightInput } from '../types.js';

export function checkIommuCmdline(input: PreflightInput): Finding[] {
  const { ctx, kernel, cmdline } = input;
  const vendor = ctx.snap.host.cpu?.vendor ?? 'other';
  const opts = parseCmdline(cmdline.raw).iommu;
  const cmdEvidence = { source: cmdline.source, text: cmdline.raw || '(empty)' };
  const off = (vals: string[] | null) => (vals ?? []).includes('off');
  if ((vendor === 'intel' && off(opts.intelIommu)) || (vendor === 'amd' && off(opts.amdIommu)) || opts.iommu === 'off') {
    const flag = opts.iommu === 'off' ? 'iommu=off' : vendor === 'intel' ? 'intel_iommu=off' : 'amd_iommu=off';
    return [finding({
      id: 'iommu-cmdline',
      cause: 'iommu-disabled-cmdline',
      severity: 'fail',
      title: `${kernel.version} will boot with ${flag}: no IOMMU, no passthrough`,
      evidence: [cmdEvidence],
      decision: `Remove ${flag} from the command line of the next boot.`,
      commands: kernelArgCommands(ctx.snap, { remove: [flag], ...(vendor === 'intel' ? { add: ['intel_iommu=on'] } : {}) }),
    })];
  }
  if (vendor !== 'intel' || (opts.intelIommu ?? []).includes('on')) return [];
  if (intelDefaultOnInConfig(kernel.config?.options) === true) return [];
  const known = kernel.config !== null;
  return [finding({
    id: 'iommu-cmdline',
    cause: 'iommu-disabled-cmdline',
    severity: known ? 'fail' : 'warn',
    title: known
      ? `${kernel.version} is built with the Intel IOMMU off by default and its command line lacks intel_iommu=on`
      : `intel_iommu=on is missing from the command line of ${kernel.version}, whose default cannot be read`,
    evidence: [cmdEvidence, known ? { source: kernel.config!.path, text: intelDefaultLine(kernel.config!.options) } : { source: `/boot/config-${kernel.version}`, text: 'missing' }],
    decision: 'Add intel_iommu=on to the command line the new kernel boots with.',
    commands: kernelArgCommands(ctx.snap, { add: ['intel_iommu=on'] }),
  })];
}

export const iommuCmdline: PreflightCheck = {
  meta: {
    id: 'iommu-cmdline',
    layer: 'kernel',
    causes: ['iommu-disabled-cmdline'],
    title: 'IOMMU options for the next kernel',
    description: 'The command line the next kernel boots with does not switch the IOMMU off, and turns it on where that kernel leaves it off by default.',
    fix: 'Edit the boot entry of the next kernel (intel_iommu=on; no iommu=off).',
    reports: ['preflight.iommu-cmdline'],
  },
  check: checkIommuCmdline,
};
