import type { Snapshot } from '../snapshot/types.js';
import type { Evidence } from './finding.js';
import { moduleKey } from '../parse/proc-modules.js';
import { parseSoftdep } from '../parse/modprobe-conf.js';

// Questions about the module configuration that several rules ask.

/** Every place configuration names a module (modprobe.d entries, boot and initramfs module lists). */
export function configMentions(snap: Snapshot, module: string): (Evidence & { stage: 'modprobe' | 'boot' | 'initramfs' })[] {
  const k = moduleKey(module);
  const out: (Evidence & { stage: 'modprobe' | 'boot' | 'initramfs' })[] = [];
  for (const e of snap.modules.modprobe) {
    const words = [e.module, ...e.value.split(/\s+/)].map((w) => moduleKey(w));
    if (words.includes(k)) out.push({ source: e.file, line: e.line, text: `${e.kind} ${e.kind === 'alias' ? `${e.value} ${e.module}` : `${e.module} ${e.value}`}`.trim(), stage: 'modprobe' });
  }
  for (const l of snap.modules.loadAtBoot) {
    if (moduleKey(l.module) === k) out.push({ source: l.file, line: l.line, text: l.module, stage: l.stage });
  }
  return out;
}

/** Modules that modprobe.d makes load before `module` (softdep module pre: ...). */
export function softdepPre(snap: Snapshot, module: string): { pre: string[]; evidence: Evidence | null } {
  const k = moduleKey(module);
  for (const e of snap.modules.modprobe) {
    if (e.kind === 'softdep' && moduleKey(e.module) === k) {
      return { pre: parseSoftdep(e.value).pre.map(moduleKey), evidence: { source: e.file, line: e.line, text: `softdep ${e.module} ${e.value}` } };
    }
  }
  return { pre: [], evidence: null };
}

export function blacklisted(snap: Snapshot, module: string): Evidence | null {
  const k = moduleKey(module);
  for (const e of snap.modules.modprobe) if (e.kind === 'blacklist' && moduleKey(e.module) === k) return { source: e.file, line: e.line, text: `blacklist ${e.module}` };
  const cmd = snap.host.cmdline?.iommu;
  if (cmd?.modprobeBlacklist.map(moduleKey).includes(k)) return { source: '/proc/cmdline', text: `modprobe.blacklist=${cmd.modprobeBlacklist.join(',')}` };
  return null;
}

/** Whether vfio-pci is loaded early by configuration: initramfs module lists, rd.driver.pre, or a built-in driver. */
export function vfioEarly(snap: Snapshot, builtin: boolean): Evidence | null {
  if (builtin) return { source: 'modules.builtin', text: 'vfio_pci is built into the kernel' };
  const init = snap.modules.loadAtBoot.find((l) => l.stage === 'initramfs' && moduleKey(l.module) === 'vfio_pci');
  if (init) return { source: init.file, line: init.line, text: init.module };
  const pre = snap.host.cmdline?.iommu.rdDriverPre ?? [];
  if (pre.map(moduleKey).includes('vfio_pci')) return { source: '/proc/cmdline', text: `rd.driver.pre=${pre.join(',')}` };
  return null;
}
