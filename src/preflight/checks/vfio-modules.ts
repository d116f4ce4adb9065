// The VFIO modules the new kernel must provide, by era: vfio_pci_core split out in 5.15, vfio_virqfd
// folded into vfio in 6.2.

import type { Finding } from '../../analyze/finding.js';
import { finding } from '../finding.js';
import { atLeast, moduleAvailable } from '../next-kernel.js';
import type { PreflightCheck, PreflightInput } from '../types.js';
import { sh } from '../../analyze/shell.js';

export function checkVfioModules(input: PreflightInput): Finding[] {
  const k = input.kernel;
  const severity = input.ctx.targets.length > 0 ? 'fail' : 'warn';
  if (k.modulesDir === null) {
    return [finding({
      id: 'vfio-modules',
      cause: 'module-missing',
      severity,
      title: `${k.version} has no modules directory: no VFIO module can load after the reboot`,
      evidence: [{ source: `/lib/modules/${k.version}`, text: 'missing' }],
      decision: 'Reinstall the kernel package (its modules are missing), or boot another kernel.',
    })];
  }
  const wanted = ['vfio', 'vfio_iommu_type1', 'vfio_pci'];
  if (atLeast(k, 5, 15) && moduleAvailable(k, 'vfio_pci') === 'module') wanted.push('vfio_pci_core');
  if (!atLeast(k, 6, 2)) wanted.push('vfio_virqfd');
  const missing = wanted.filter((m) => moduleAvailable(k, m) === null);
  if (missing.length === 0) return [];
  return [finding({
    id: 'vfio-modules',
    cause: 'module-missing',
    severity,
    title: `${k.version} lacks ${missing.join(', ')}: neither a module file nor built in`,
    evidence: missing.map((m) => ({ source: `${k.modulesDir}/modules.builtin`, text: `${m}: not listed, and no ${m}.ko under ${k.modulesDir}` })),
    decision: `Install the package that carries ${k.version}'s VFIO modules (on Ubuntu linux-modules-extra-${k.version}), or pick a kernel built with VFIO.`,
    commands: [sh`find ${k.modulesDir} -name 'vfio*'`],
  })];
}

export const vfioModules: PreflightCheck = {
  meta: {
    id: 'vfio-modules',
    layer: 'modules',
    causes: ['module-missing'],
    title: 'VFIO modules of the next kernel',
    description: 'The next kernel provides the VFIO modules of its era (vfio_pci_core from 5.15; vfio_virqfd folded into vfio in 6.2), as modules or built in.',
    fix: 'Install the package that carries the kernel\'s VFIO modules, or boot another kernel.',
    reports: ['preflight.vfio-modules'],
  },
  check: checkVfioModules,
};
