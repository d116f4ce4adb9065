// The host-driver race for each target, as the new kernel and its initramfs will run it.

import type { Finding } from '../../analyze/finding.js';
import { idPair, idSpecMatches } from '../../analyze/pci-facts.js';
import { parseSoftdep } from '../../parse/modprobe-conf.js';
import { moduleKey } from '../../parse/proc-modules.js';
import { earlyVfioModulesStep } from '../../analyze/fixes/initramfs.js';
import { finding } from '../finding.js';
import { rebuildImageFor, vfioModuleList } from '../fixes.js';
import { predictTarget } from '../race.js';
import type { PreflightCheck, PreflightInput } from '../types.js';
import { sh } from '../../analyze/shell.js';

export function checkInitramfsRace(input: PreflightInput): Finding[] {
  const out: Finding[] = [];
  const { ctx, kernel } = input;
  const [major, minor] = kernel.majorMinor ?? [0, 0];
  for (const t of ctx.targets) {
    const r = predictTarget(input, t);
    const d = ctx.device(t.address);
    if (!r.problem || !d || r.problem === 'builtin-ids-ignored') continue;
    const ids = idPair(d);
    // Steps the host configuration already has are left out: then the image is stale, and rebuilding it is the fix.
    const hostMod = ctx.snap.modules.modprobe;
    const hasSoftdep = (m: string) => hostMod.some((e) => e.kind === 'softdep' && moduleKey(e.module) === m && parseSoftdep(e.value).pre.some((p) => moduleKey(p) === 'vfio_pci'));
    const softdeps = r.competitors.filter((m) => !hasSoftdep(m)).map((m) => sh`echo 'softdep ${m} pre: vfio-pci' >> /etc/modprobe.d/vfio.conf`);
    const hostHasIds = ctx.vfioIds.some((s) => s.ids.some((id) => idSpecMatches(id, d)));
    const idLine = hostHasIds ? [] : [sh`echo 'options vfio-pci ids=${ids}' >> /etc/modprobe.d/vfio.conf   # or add ${ids} to an existing ids= list`];
    const listed = ctx.snap.modules.loadAtBoot.some((e) => e.stage === 'initramfs' && moduleKey(e.module) === 'vfio_pci');
    if (r.problem === 'initramfs-missing-vfio' || r.problem === 'initramfs-not-ordered') {
      const missing = r.problem === 'initramfs-missing-vfio';
      out.push(finding({
        id: 'initramfs-race',
        cause: 'initramfs-missing-vfio',
        severity: 'fail',
        subject: t.address,
        title: missing
          ? `${t.address} (${r.prediction.description}): the ${kernel.version} initramfs has ${r.competitors.join(', ')} but no vfio-pci — the host driver will grab it at boot`
          : `${t.address} (${r.prediction.description}): the ${kernel.version} initramfs loads ${r.competitors.join(', ')} with nothing putting vfio-pci ahead of it`,
        evidence: r.evidence,
        decision: missing
          ? listed
            ? `The host configuration lists the VFIO modules for the initramfs, but the ${kernel.version} image lacks them: it was built from other configuration (image pipeline drift, a failed hook). Rebuild it and re-run preflight before rebooting.`
            : `Put the VFIO modules into the initramfs of ${kernel.version} and order vfio-pci before ${r.competitors.join(', ')}, then rebuild that image before rebooting.`
          : `Make vfio-pci claim ${ids} before ${r.competitors.join(', ')} inside the initramfs (ids plus a softdep), then rebuild the ${kernel.version} image.`,
        commands: [...(missing && !listed ? earlyVfioModulesStep(ctx.snap, vfioModuleList(major, minor)) : []), ...idLine, ...softdeps, rebuildImageFor(ctx.snap, kernel.version)],
      }));
    } else {
      const noIds = r.problem === 'no-ids';
      out.push(finding({
        id: 'host-driver-race',
        cause: 'host-driver-bound',
        severity: noIds ? 'fail' : 'warn',
        subject: t.address,
        title: noIds
          ? `${t.address} (${r.prediction.description}): nothing assigns it to vfio-pci on ${kernel.version}; ${r.competitors.join(', ')} will take it`
          : `${t.address} (${r.prediction.description}): vfio-pci and ${r.competitors.join(', ')} race for it on ${kernel.version} with no ordering`,
        evidence: r.evidence,
        decision: noIds ? `Give vfio-pci the ids of ${t.address} and order it before ${r.competitors.join(', ')}.` : `Order vfio-pci before ${r.competitors.join(', ')} with a softdep, so the outcome does not depend on udev timing.`,
        commands: [...(noIds ? idLine : []), ...softdeps, rebuildImageFor(ctx.snap, kernel.version)],
      }));
    }
  }
  return out;
}

export const initramfsRace: PreflightCheck = {
  meta: {
    id: 'initramfs-race',
    layer: 'modules',
    alsoLayers: ['binding'],
    causes: ['initramfs-missing-vfio', 'host-driver-bound'],
    title: 'Host-driver race at the next boot',
    description: 'For each target, vfio-pci wins the race against host drivers at the next boot: it is in the next initramfs when a host driver is, knows the ids, and is ordered before its competitors.',
    fix: 'Add vfio-pci (and its ids and softdeps) to the next initramfs and rebuild it.',
    reports: ['preflight.initramfs-race', 'preflight.host-driver-race'],
  },
  check: checkInitramfsRace,
};
