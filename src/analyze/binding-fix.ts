import type { PciDevice, Snapshot } from '../snapshot/types.js';
import type { AnalysisContext } from './context.js';
import type { Evidence } from './finding.js';
import { blacklisted, softdepPre, vfioEarly } from './module-config.js';
import { idPair, idSpecMatches, vfioDriver } from './pci-facts.js';
import { earlyVfioModulesStep, rebuildInitramfsCommand } from './fixes/initramfs.js';
import { kernelArgCommands } from './fixes/kernel-args.js';
import { moduleKey } from '../parse/proc-modules.js';
import { modprobeSeen } from './evidence-scope.js';
import { sh } from './shell.js';

// Why a host driver won the race for a device at boot, and the persistent fix, shared by the
// target and companion rules.

export interface RaceAnalysis {
  reasons: string[];
  evidence: Evidence[];
  commands: string[];
}

export function hostDriverModule(snap: Snapshot, d: PciDevice): string {
  const fromAlias = d.modalias ? snap.modules.aliasMatches?.[d.modalias] ?? [] : [];
  const drv = d.driver ?? '';
  return fromAlias.find((m) => moduleKey(m) === moduleKey(drv)) ?? drv;
}

export function analyseRace(ctx: AnalysisContext, devices: PciDevice[]): RaceAnalysis {
  const snap = ctx.snap;
  const reasons: string[] = [];
  const evidence: Evidence[] = [];
  const builtin = ctx.moduleState('vfio_pci') === 'builtin';
  const unmatched = devices.filter((d) => !ctx.vfioIds.some((s) => s.ids.some((i) => idSpecMatches(i, d))) && !vfioDriver(d.driverOverride));
  if (unmatched.length > 0) {
    const which = unmatched.map((d) => `${d.address} [${idPair(d)}]`).join(', ');
    reasons.push(
      modprobeSeen(snap) || snap.host.cmdline === null
        ? `nothing asks vfio-pci to claim ${which} (no vfio-pci ids or driver_override match it)`
        : `no vfio-pci ids on the kernel command line match ${which}, and modprobe.d was not seen (grep -r . /etc/modprobe.d shows it)`,
    );
  }
  const early = vfioEarly(snap, builtin);
  if (early) evidence.push(early);
  else reasons.push('vfio-pci is not loaded early (not in the initramfs module list, no rd.driver.pre=vfio-pci)');
  const drivers = [...new Set(devices.map((d) => d.driver).filter((x): x is string => x !== null && !vfioDriver(x)))];
  for (const drv of drivers) {
    const bl = blacklisted(snap, drv);
    const sd = softdepPre(snap, drv);
    if (bl) evidence.push(bl);
    if (sd.evidence) evidence.push(sd.evidence);
    if (!bl && !sd.pre.includes('vfio_pci')) reasons.push(`${drv} has no "softdep ${drv} pre: vfio-pci" and is not blacklisted, so it can load first`);
  }
  const ids = [...new Set(devices.map(idPair))];
  const commands: string[] = [];
  if (builtin) {
    commands.push(...kernelArgCommands(snap, { add: [`vfio-pci.ids=${ids.join(',')}`] }).filter((c) => c !== 'reboot'));
  } else {
    commands.push(sh`echo 'options vfio-pci ids=${ids.join(',')}' > /etc/modprobe.d/vfio.conf`);
    for (const drv of drivers) commands.push(sh`echo 'softdep ${hostDriverModule(snap, devices.find((d) => d.driver === drv)!)} pre: vfio-pci' >> /etc/modprobe.d/vfio.conf`);
    if (!early) commands.push(...earlyVfioModulesStep(snap, ['vfio', 'vfio_iommu_type1', 'vfio_pci']));
    commands.push(rebuildInitramfsCommand(snap));
  }
  commands.push('reboot');
  return { reasons, evidence, commands };
}

/** Rebinding now, without a reboot (the device must not be in use by the host). */
export function runtimeRebind(addresses: string[]): string[] {
  return addresses.flatMap((a) => [
    sh`echo vfio-pci > /sys/bus/pci/devices/${a}/driver_override`,
    sh`echo ${a} > /sys/bus/pci/devices/${a}/driver/unbind`,
    sh`echo ${a} > /sys/bus/pci/drivers_probe`,
  ]);
}
