// vfio_virqfd became part of vfio.ko in 6.2. Module lists written for older kernels still name it, and
// dracut-install aborts on a module it cannot find, which can leave the new image without VFIO at all.

import type { Evidence, Finding } from '../../analyze/finding.js';
import { moduleKey } from '../../parse/proc-modules.js';
import { parseSoftdep } from '../../parse/modprobe-conf.js';
import { finding } from '../finding.js';
import { rebuildImageFor } from '../fixes.js';
import { atLeast, moduleAvailable } from '../next-kernel.js';
import type { PreflightCheck, PreflightInput } from '../types.js';
import { sh } from '../../analyze/shell.js';

const VIRQFD = 'vfio_virqfd';

export function checkVirqfdRenamed(input: PreflightInput): Finding[] {
  const { kernel, initramfs, ctx } = input;
  if (!atLeast(kernel, 6, 2) || moduleAvailable(kernel, VIRQFD) !== null) return [];
  const early: Evidence[] = [];
  const late: Evidence[] = [];
  for (const e of ctx.snap.modules.loadAtBoot) {
    if (moduleKey(e.module) !== VIRQFD) continue;
    (e.stage === 'initramfs' ? early : late).push({ source: e.file, line: e.line, text: e.module });
  }
  for (const e of initramfs.info.loadAtBoot) {
    if (moduleKey(e.module) === VIRQFD) early.push({ source: `${initramfs.image}:${e.file}`, line: e.line, text: e.module });
  }
  for (const e of initramfs.info.modprobe) {
    if (e.kind === 'softdep' && [...parseSoftdep(e.value).pre, ...parseSoftdep(e.value).post].some((m) => moduleKey(m) === VIRQFD)) {
      early.push({ source: `${initramfs.image}:${e.file}`, line: e.line, text: `softdep ${e.module} ${e.value}` });
    }
  }
  if (early.length === 0 && late.length === 0) return [];
  // Only host files can be edited; the image follows them when it is rebuilt.
  const files = [...new Set([...early, ...late].map((e) => e.source).filter((f) => f.startsWith('/etc/') && !f.includes(':')))];
  return [finding({
    id: 'virqfd-renamed',
    cause: 'module-renamed',
    severity: early.length > 0 ? 'fail' : 'warn',
    title: `vfio_virqfd is named in ${early.length > 0 ? 'the initramfs configuration' : 'the boot module lists'}, but ${kernel.version} has no such module (merged into vfio in 6.2)`,
    evidence: [...early, ...late],
    decision: 'Remove vfio_virqfd from every module list (vfio.ko provides it since 6.2); keep vfio, vfio_iommu_type1 and vfio_pci, then rebuild the new image.',
    commands: [...files.map((f) => sh`sed -i -E 's/(^|[[:space:]])vfio[_-]virqfd([[:space:]]|$)/\\1\\2/' ${f}`), rebuildImageFor(ctx.snap, kernel.version)],
  })];
}

export const virqfdRenamed: PreflightCheck = {
  meta: {
    id: 'virqfd-renamed',
    layer: 'modules',
    causes: ['module-renamed'],
    title: 'vfio_virqfd named for a 6.2+ kernel',
    description: 'No module list read at boot names vfio_virqfd when the next kernel is 6.2 or later, where it is part of vfio.',
    fix: 'Remove vfio_virqfd from the module lists and rebuild the initramfs.',
    reports: ['preflight.virqfd-renamed'],
  },
  check: checkVirqfdRenamed,
};
