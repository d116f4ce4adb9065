import { kernelAtLeast, type ModuleState } from '../../analyze/context.js';
import type { Side } from '../context.js';
import type { ChangeKind } from '../types.js';
import { change, type ChangeClass } from './class.js';

// The VFIO modules of the running kernel: loaded, built in, on disk only, or missing. Two are renamed
// by kernel history rather than lost: vfio_virqfd was folded into vfio in 6.2, and vfio_pci_core was
// split out of vfio_pci in 5.15, so crossing those versions changes the list without breaking anything.

export const VFIO_MODULES = ['vfio', 'vfio_pci', 'vfio_pci_core', 'vfio_iommu_type1', 'vfio_virqfd'] as const;

const STATE_TEXT: Record<ModuleState, string> = {
  loaded: 'loaded',
  builtin: 'built in',
  available: 'on disk, not loaded',
  missing: 'missing',
  unknown: 'unknown',
};

function level(s: ModuleState): number | null {
  if (s === 'loaded' || s === 'builtin') return 2;
  if (s === 'available') return 1;
  if (s === 'missing') return 0;
  return null;
}

/** Why a module is absent by design on this side's kernel, or null when its absence is a loss. */
function renamedAway(s: Side, name: string): string | null {
  const k = s.analysis.kernel;
  if (name === 'vfio_virqfd' && kernelAtLeast(k, 6, 2)) return 'folded into vfio in kernel 6.2';
  if (name === 'vfio_pci_core' && kernelAtLeast(k, 5, 15) === false) return 'part of vfio_pci before kernel 5.15';
  // With iommufd providing the container, type1 is not needed.
  const o = s.snap.kernelConfig?.options ?? {};
  if (name === 'vfio_iommu_type1' && o['CONFIG_IOMMUFD_VFIO_CONTAINER'] === 'y' && o['CONFIG_VFIO_CONTAINER'] !== 'y') return 'replaced by iommufd (CONFIG_IOMMUFD_VFIO_CONTAINER)';
  return null;
}

export const vfioModules: ChangeClass = {
  meta: {
    id: 'vfio-modules',
    layer: 'modules',
    causes: ['module-missing'],
    title: 'VFIO modules',
    description: 'Whether vfio, vfio_pci, vfio_pci_core, vfio_iommu_type1 and vfio_virqfd are loaded, built in or on disk for each kernel, allowing for the renames between kernel versions.',
    reports: ['module-lost', 'module-gained', 'module-not-loaded', 'module-loaded', 'module-renamed'],
  },
  compare(ctx, out) {
    const kernelA = ctx.a.snap.host.kernelRelease ?? '?';
    const kernelB = ctx.b.snap.host.kernelRelease ?? '?';
    for (const name of VFIO_MODULES) {
      const was = ctx.a.analysis.moduleState(name);
      const now = ctx.b.analysis.moduleState(name);
      const la = level(was);
      const lb = level(now);
      if (la === null || lb === null || la === lb) continue;
      const evidence = [{ what: name, before: `${STATE_TEXT[was]} (${kernelA})`, after: `${STATE_TEXT[now]} (${kernelB})`, source: '/proc/modules, modules.builtin, /lib/modules/*/kernel/drivers/vfio' }];
      const goneByDesign = lb === 0 ? renamedAway(ctx.b, name) : la === 0 ? renamedAway(ctx.a, name) : null;
      if (goneByDesign) {
        out.add(change('module-renamed', 'modules', 'neutral', `${name} ${lb === 0 ? 'is gone' : 'appeared'}: ${goneByDesign}`, evidence));
        continue;
      }
      let kind: ChangeKind;
      if (lb === 0) kind = 'regression';
      else if (la === 0) kind = 'improvement';
      // Loaded versus only installed matters once something is meant to be passed through.
      else kind = ctx.anyTargets ? (lb < la ? 'regression' : 'improvement') : 'neutral';
      const id = lb === 0 ? 'module-lost' : la === 0 ? 'module-gained' : lb < la ? 'module-not-loaded' : 'module-loaded';
      const title =
        id === 'module-lost'
          ? `${name} is missing for kernel ${kernelB}`
          : id === 'module-gained'
            ? `${name} is available again`
            : id === 'module-not-loaded'
              ? `${name} is no longer loaded`
              : `${name} is now ${STATE_TEXT[now]}`;
      out.add(change(id, 'modules', kind, title, evidence, { cause: kind === 'regression' ? 'module-missing' : null }));
    }
  },
};
