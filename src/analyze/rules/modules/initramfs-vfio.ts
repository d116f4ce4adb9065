import type { Rule } from '../../rule.js';
import type { AnalysisContext } from '../../context.js';
import type { Evidence } from '../../finding.js';
import type { PciDevice } from '../../../snapshot/types.js';
import { moduleKey } from '../../../parse/proc-modules.js';
import { parseSoftdep, parseModuleOptions } from '../../../parse/modprobe-conf.js';
import { earlyVfioModulesStep, rebuildInitramfsCommand } from '../../fixes/initramfs.js';
import { describeDevice, idPair, vfioDriver } from '../../pci-facts.js';
import { sh } from '../../shell.js';

/**
 * The targets whose host driver could win the boot race inside the image: not bound to vfio-pci now
 * (a bound one won this boot's race) and with a modalias to look its drivers up by. Nothing else in the
 * analysis reads the image, so with none of them it is not worth decompressing (see imageCanMatter).
 */
export function targetsTheImageJudges(ctx: AnalysisContext): PciDevice[] {
  if (ctx.targets.length === 0 || ctx.moduleState('vfio_pci') === 'builtin') return [];
  return ctx.targets.map((t) => ctx.device(t.address)).filter((d): d is PciDevice => !!d?.modalias && !vfioDriver(d.driver));
}

export const initramfsVfio: Rule = {
  meta: {
    id: 'initramfs-vfio',
    layer: 'modules',
    title: 'VFIO in the initramfs',
    causes: ['initramfs-missing-vfio'],
    description: "When the initramfs holds a host driver for a target, it also holds vfio-pci and the configuration that makes vfio-pci claim the target first.",
  },
  check(ctx, out) {
    const img = ctx.snap.initramfs;
    const judged = targetsTheImageJudges(ctx);
    if (judged.length === 0) return;
    if (!img) {
      const src = ctx.snap.sources['initramfs'];
      if (src && src.status !== 'absent') out.cannotCheck(null, `initramfs not readable: ${src.message ?? src.status}`, src.path ? sh`lsinitramfs ${src.path} | grep -e vfio -e '\\.ko'` : "lsinitramfs /boot/initrd.img-$(uname -r) | grep -e vfio -e '\\.ko'");
      return;
    }
    const inImage = new Set(img.modules);
    const hasVfio = inImage.has('vfio_pci');
    const idsInImage = img.modprobe.filter((e) => e.kind === 'options' && moduleKey(e.module) === 'vfio_pci' && parseModuleOptions(e.value)['ids']);
    const idsOnCmdline = (ctx.snap.host.cmdline?.iommu.vfioPciIds?.length ?? 0) > 0;
    const vfioListed = img.loadAtBoot.some((l) => moduleKey(l.module) === 'vfio_pci');
    for (const d of judged) {
      const candidates = (ctx.snap.modules.aliasMatches?.[d.modalias!] ?? []).map(moduleKey).filter((m) => !m.startsWith('vfio'));
      const racers = candidates.filter((m) => inImage.has(m));
      if (racers.length === 0) continue;
      const softdepped = racers.filter((r) => img.modprobe.some((e) => e.kind === 'softdep' && moduleKey(e.module) === r && parseSoftdep(e.value).pre.map(moduleKey).includes('vfio_pci')));
      const evidence: Evidence[] = [{ source: img.image, text: `contains ${racers.map((r) => `${r}.ko`).join(', ')}${hasVfio ? ' and vfio-pci.ko' : ', but no vfio-pci.ko'}` }];
      let problem: string | null = null;
      if (!hasVfio) problem = `the initramfs loads ${racers.join(', ')} for ${d.address} but has no vfio-pci: the host driver claims the device at boot`;
      else if (idsInImage.length === 0 && !idsOnCmdline) problem = 'vfio-pci is in the initramfs, but nothing in it tells vfio-pci which devices to claim (no "options vfio-pci ids=" inside the image, no vfio-pci.ids= on the command line)';
      else if (!vfioListed && softdepped.length < racers.length && !idsOnCmdline) problem = `both are in the initramfs and nothing orders them: no "softdep ${racers[0]} pre: vfio-pci" inside the image and vfio-pci is not in its module list`;
      if (!problem) continue;
      evidence.push(...idsInImage.map((e) => ({ source: `${img.image}:${e.file}`, line: e.line, text: `options ${e.module} ${e.value}` })));
      out.report({
        cause: 'initramfs-missing-vfio',
        severity: 'fail',
        subject: d.address,
        title: `The initramfs lets ${racers.join('/')} claim ${describeDevice(d)} before vfio-pci`,
        evidence,
        decision: `${problem}. Put vfio-pci and its configuration into the initramfs and rebuild it (the image is built from /etc at the time the kernel was installed: a later change to /etc/modprobe.d is not in it until you rebuild).`,
        commands: [
          sh`echo 'options vfio-pci ids=${idPair(d)}' >> /etc/modprobe.d/vfio.conf`,
          ...racers.map((r) => sh`echo 'softdep ${r} pre: vfio-pci' >> /etc/modprobe.d/vfio.conf`),
          ...earlyVfioModulesStep(ctx.snap, ['vfio', 'vfio_iommu_type1', 'vfio_pci']),
          rebuildInitramfsCommand(ctx.snap),
          'reboot',
        ],
      });
    }
  },
};
