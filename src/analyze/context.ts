import type { DistroFamily, PciDevice, Snapshot } from '../snapshot/types.js';
import type { Evidence } from './finding.js';
import { moduleKey } from '../parse/proc-modules.js';
import { parseModuleOptions } from '../parse/modprobe-conf.js';
import { inferTargets, type Target } from './targets.js';


export type ModuleState = 'loaded' | 'builtin' | 'available' | 'missing' | 'unknown';

export interface VfioIdSource {
  ids: string[];
  where: 'cmdline' | 'modprobe';
  evidence: Evidence;
}

export interface AnalysisOptions {
  devices?: string[];
  ids?: string[];
  /**
   * Devices the user or the evidence named (a VM error, a hook variable), as against targets implied by
   * configuration: a check missing about one of them points the verdict at its layer. Default: the
   * targets given by --device and --ids.
   */
  named?: string[];
}

export interface AnalysisContext {
  snap: Snapshot;
  targets: Target[];
  isTarget: (address: string) => boolean;
  device: (address: string) => PciDevice | undefined;
  family: DistroFamily;
  /** [major, minor] of the running kernel, when known. */
  kernel: [number, number] | null;
  /** DMA remapping active: IOMMU groups exist. null when that could not be read. */
  iommuActive: boolean | null;
  moduleState: (name: string) => ModuleState;
  vfioIds: VfioIdSource[];
}

export function kernelMajorMinor(release: string | null): [number, number] | null {
  const m = release ? /^(\d+)\.(\d+)/.exec(release) : null;
  return m ? [Number(m[1]), Number(m[2])] : null;
}

export function kernelAtLeast(k: [number, number] | null, major: number, minor: number): boolean | null {
  if (!k) return null;
  return k[0] > major || (k[0] === major && k[1] >= minor);
}

function iommuActive(s: Snapshot): boolean | null {
  if (s.pci.some((d) => d.iommuGroup !== null)) return true;
  if (s.iommu.groups && s.iommu.groups.length > 0) return true;
  if (s.iommu.groups !== null) return false;
  // No iommu_groups directory on a readable sysfs: the kernel has no IOMMU support at all.
  const sysfsRead = s.sources['sys/bus/pci/devices']?.status === 'read';
  if (sysfsRead && s.sources['sys/kernel/iommu_groups']?.status === 'absent') return false;
  return null;
}

function collectVfioIds(s: Snapshot): VfioIdSource[] {
  const out: VfioIdSource[] = [];
  const cmd = s.host.cmdline;
  if (cmd?.iommu.vfioPciIds) {
    const tok = cmd.tokens.find((t) => moduleKey(t.key).toLowerCase() === 'vfio_pci.ids');
    out.push({ ids: cmd.iommu.vfioPciIds, where: 'cmdline', evidence: { source: '/proc/cmdline', text: tok?.raw ?? `vfio-pci.ids=${cmd.iommu.vfioPciIds.join(',')}` } });
  }
  for (const e of s.modules.modprobe) {
    if (e.kind !== 'options' || moduleKey(e.module) !== 'vfio_pci') continue;
    const ids = parseModuleOptions(e.value)['ids'];
    if (ids) out.push({ ids: ids.split(',').filter(Boolean), where: 'modprobe', evidence: { source: e.file, line: e.line, text: `options ${e.module} ${e.value}` } });
  }
  return out;
}

export function buildContext(snap: Snapshot, opts: AnalysisOptions = {}): AnalysisContext {
  const byAddr = new Map(snap.pci.map((d) => [d.address, d]));
  const loaded = snap.modules.loaded ? new Set(snap.modules.loaded.map((m) => moduleKey(m.name))) : null;
  const builtin = snap.modules.builtin ? new Set(snap.modules.builtin.map(moduleKey)) : null;
  const onDisk = snap.modules.vfioOnDisk ? new Set(snap.modules.vfioOnDisk.map((m) => moduleKey(m.name))) : null;
  const vfioIds = collectVfioIds(snap);
  const targets = inferTargets(snap, vfioIds, opts);
  const targetSet = new Set(targets.map((t) => t.address));
  return {
    snap,
    targets,
    isTarget: (a) => targetSet.has(a),
    device: (a) => byAddr.get(a),
    family: snap.host.osRelease?.family ?? 'other',
    kernel: kernelMajorMinor(snap.host.kernelRelease),
    iommuActive: iommuActive(snap),
    moduleState: (name) => {
      const k = moduleKey(name);
      if (loaded?.has(k)) return 'loaded';
      if (builtin?.has(k)) return 'builtin';
      // vfioOnDisk only covers drivers/vfio; anything else is unknown unless loaded or built in.
      if (onDisk?.has(k)) return 'available';
      if (loaded && builtin && onDisk && k.startsWith('vfio')) return 'missing';
      return 'unknown';
    },
    vfioIds,
  };
}
