import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { earlyVfioModulesStep, rebuildInitramfsCommand } from '../../fixes/initramfs.js';

export const vfioModules: Rule = {
  meta: {
    id: 'vfio-modules',
    layer: 'modules',
    title: 'VFIO modules available',
    causes: ['module-missing'],
    description: 'vfio, vfio_pci and vfio_iommu_type1 are loaded, built in, or installed for the running kernel.',
  },
  check(ctx, out) {
    const m = ctx.snap.modules;
    if (m.loaded === null && m.builtin === null) {
      out.cannotCheck(null, 'neither /proc/modules nor modules.builtin of the running kernel could be read', 'lsmod; grep vfio /lib/modules/$(uname -r)/modules.builtin');
      return;
    }
    const opts = ctx.snap.kernelConfig?.options ?? {};
    // With iommufd providing the container (6.2+), vfio_iommu_type1 may legitimately be absent.
    const type1Needed = !(opts['CONFIG_IOMMUFD_VFIO_CONTAINER'] === 'y' && opts['CONFIG_VFIO_CONTAINER'] !== 'y');
    const needed = ['vfio', 'vfio_pci', ...(type1Needed ? ['vfio_iommu_type1'] : [])];
    const missing = needed.filter((n) => ctx.moduleState(n) === 'missing');
    if (missing.length === 0) return;
    const release = ctx.snap.host.kernelRelease ?? '$(uname -r)';
    const evidence: Evidence[] = [
      { source: '/proc/modules', text: `not loaded: ${missing.join(', ')}` },
      { source: `/lib/modules/${release}/modules.builtin`, text: 'not built in' },
      { source: `/lib/modules/${release}/kernel/drivers/vfio`, text: (m.vfioOnDisk ?? []).length ? `has only ${(m.vfioOnDisk ?? []).map((x) => x.name).join(', ')}` : 'no vfio modules installed' },
    ];
    out.report({
      cause: 'module-missing',
      severity: 'fail',
      title: `VFIO module${missing.length > 1 ? 's' : ''} missing for kernel ${release}: ${missing.join(', ')}`,
      evidence,
      decision:
        'This kernel has no VFIO driver to hand devices to VMs. Install the kernel\'s module package (Debian/Ubuntu: linux-modules-extra / linux-image for this release; Fedora: kernel-modules-core), or boot a kernel built with CONFIG_VFIO and CONFIG_VFIO_PCI, then load them early.',
      commands: [...earlyVfioModulesStep(ctx.snap, ['vfio', 'vfio_iommu_type1', 'vfio_pci']), rebuildInitramfsCommand(ctx.snap), 'reboot'],
    });
  },
};
