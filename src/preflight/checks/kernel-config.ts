// The new kernel's build configuration: without IOMMU drivers, interrupt remapping or VFIO, no
// command line or initramfs change can make passthrough work on it.

import type { Finding } from '../../analyze/finding.js';
import { parseCmdline } from '../../parse/cmdline.js';
import { finding } from '../finding.js';
import type { PreflightCheck, PreflightInput } from '../types.js';

const enabled = (v: string | undefined) => v === 'y' || v === 'm';

export function checkKernelConfig(input: PreflightInput): Finding[] {
  const { kernel, ctx, cmdline } = input;
  const cfg = kernel.config;
  if (!cfg) return [];
  const out: Finding[] = [];
  const o = cfg.options;
  const vendor = ctx.snap.host.cpu?.vendor ?? 'other';
  const iommuOption = vendor === 'intel' ? 'CONFIG_INTEL_IOMMU' : vendor === 'amd' ? 'CONFIG_AMD_IOMMU' : null;
  if (iommuOption && o[iommuOption] !== 'y') {
    out.push(finding({
      id: 'kernel-config-iommu',
      cause: 'iommu-inactive',
      severity: 'fail',
      title: `${kernel.version} is built without ${iommuOption}: this CPU's IOMMU will not be used`,
      evidence: [{ source: cfg.path, text: `# ${iommuOption} is not set` }],
      decision: 'Do not boot this kernel for passthrough; install a kernel built with the IOMMU driver for this CPU.',
    }));
  }
  if (o['CONFIG_IRQ_REMAP'] !== 'y') {
    const unsafe = /^(1|y|Y)$/.test(parseCmdline(cmdline.raw).iommu.allowUnsafeInterrupts ?? '');
    out.push(finding({
      id: 'kernel-config-irq-remap',
      cause: 'irq-remap-missing',
      severity: unsafe ? 'warn' : 'fail',
      title: `${kernel.version} is built without interrupt remapping (CONFIG_IRQ_REMAP)${unsafe ? '; only allow_unsafe_interrupts lets VFIO run' : ': VFIO will refuse devices'}`,
      evidence: [{ source: cfg.path, text: o['CONFIG_IRQ_REMAP'] === undefined ? '# CONFIG_IRQ_REMAP is not set' : `CONFIG_IRQ_REMAP=${o['CONFIG_IRQ_REMAP']}` }],
      decision: 'Install a kernel built with CONFIG_IRQ_REMAP=y.',
    }));
  }
  const noVfio = ['CONFIG_VFIO', 'CONFIG_VFIO_PCI', 'CONFIG_VFIO_IOMMU_TYPE1'].filter((k) => !enabled(o[k]));
  if (noVfio.length > 0) {
    out.push(finding({
      id: 'kernel-config-vfio',
      cause: 'module-missing',
      severity: ctx.targets.length > 0 ? 'fail' : 'warn',
      title: `${kernel.version} is built without ${noVfio.join(', ')}`,
      evidence: noVfio.map((k) => ({ source: cfg.path, text: `# ${k} is not set` })),
      decision: 'Install a kernel built with VFIO (as a module or built in).',
    }));
  }
  return out;
}

export const kernelConfig: PreflightCheck = {
  meta: {
    id: 'kernel-config',
    layer: 'kernel',
    alsoLayers: ['modules'],
    causes: ['iommu-inactive', 'irq-remap-missing', 'module-missing'],
    title: 'Next kernel built for passthrough',
    description: 'The next kernel is built with the IOMMU driver for this CPU, interrupt remapping and VFIO.',
    fix: 'Boot a kernel built with them; no command line or initramfs change can add them.',
    reports: ['preflight.kernel-config-iommu', 'preflight.kernel-config-irq-remap', 'preflight.kernel-config-vfio'],
  },
  check: checkKernelConfig,
};
