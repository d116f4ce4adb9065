import { moduleKey } from '../../parse/proc-modules.js';
import { parseModuleOptions } from '../../parse/modprobe-conf.js';
import { kernelAtLeast } from '../../analyze/context.js';
import type { Snapshot } from '../../snapshot/types.js';
import type { Side } from '../context.js';
import { change, type ChangeClass, type ChangeSink } from './class.js';
import { VFIO_MODULES } from './vfio-modules.js';

// Early binding depends on what the initramfs holds and on the module lists that put VFIO there. A new
// kernel gets a freshly generated initramfs, so VFIO silently missing from it is the classic "host
// grabbed the GPU after the update" (playbook mini-story 1).

const VFIO = new Set<string>(VFIO_MODULES);

function obsolete(s: Side, name: string): boolean {
  return name === 'vfio_virqfd' && kernelAtLeast(s.analysis.kernel, 6, 2) === true;
}

function vfioOptions(s: Snapshot): string[] {
  return (s.initramfs?.modprobe ?? [])
    .filter((e) => e.kind === 'options' && moduleKey(e.module) === 'vfio_pci' && parseModuleOptions(e.value)['ids'] !== undefined)
    .map((e) => `options ${e.module} ${e.value}`);
}

function compareSets(ctx: { a: Side; b: Side; anyTargets: boolean }, out: ChangeSink, what: string, source: string, was: Set<string>, now: Set<string>): void {
  const lost = [...was].filter((m) => !now.has(m));
  const gained = [...now].filter((m) => !was.has(m));
  const obsoleteLost = lost.filter((m) => obsolete(ctx.b, m));
  const realLost = lost.filter((m) => !obsolete(ctx.b, m));
  const list = (ms: string[]) => ms.join(', ');
  if (realLost.length) {
    // Without a target nothing needs binding early; the loss is still worth seeing.
    const kind = ctx.anyTargets ? 'regression' : 'neutral';
    out.add(
      change('early-vfio-lost', 'modules', kind, `${list(realLost)} no longer in ${what}`, [{ what, before: list([...was]), after: list([...now]) || null, source }], {
        cause: kind === 'regression' ? 'initramfs-missing-vfio' : null,
      }),
    );
  }
  if (obsoleteLost.length) {
    out.add(change('early-vfio-renamed', 'modules', 'neutral', `${list(obsoleteLost)} no longer in ${what} (folded into vfio in kernel 6.2)`, [{ what, before: list([...was]), after: list([...now]) || null, source }]));
  }
  if (gained.length) {
    out.add(change('early-vfio-gained', 'modules', ctx.anyTargets ? 'improvement' : 'neutral', `${list(gained)} now in ${what}`, [{ what, before: list([...was]) || null, after: list([...now]), source }]));
  }
}

export const earlyBoot: ChangeClass = {
  meta: {
    id: 'early-boot',
    layer: 'modules',
    causes: ['initramfs-missing-vfio'],
    title: 'VFIO in early boot',
    description: 'VFIO modules and vfio-pci options in the initramfs image, in the initramfs generator\'s module list and in the boot module lists.',
    reports: ['early-vfio-lost', 'early-vfio-gained', 'early-vfio-renamed', 'early-vfio-options-lost', 'early-vfio-options-gained'],
  },
  compare(ctx, out) {
    // A built-in vfio_pci needs no initramfs copy: nothing to lose there.
    if (ctx.b.analysis.moduleState('vfio_pci') === 'builtin') return;
    const ia = ctx.a.snap.initramfs;
    const ib = ctx.b.snap.initramfs;
    if (ia && ib) {
      const imageA = new Set(ia.modules.map(moduleKey).filter((m) => VFIO.has(m)));
      const imageB = new Set(ib.modules.map(moduleKey).filter((m) => VFIO.has(m)));
      compareSets(ctx, out, 'the initramfs', `${ia.image} → ${ib.image}`, imageA, imageB);
      const optA = new Set(vfioOptions(ctx.a.snap));
      const optB = new Set(vfioOptions(ctx.b.snap));
      if (optA.size > 0 && optB.size === 0) {
        const kind = ctx.anyTargets ? 'regression' : 'neutral';
        out.add(
          change('early-vfio-options-lost', 'modules', kind, 'The initramfs no longer tells vfio-pci which devices to claim', [
            { what: 'vfio-pci ids inside the initramfs', before: [...optA].join('; '), after: null, source: `${ia.image} → ${ib.image}` },
          ], { cause: kind === 'regression' ? 'initramfs-missing-vfio' : null }),
        );
      } else if (optA.size === 0 && optB.size > 0) {
        out.add(change('early-vfio-options-gained', 'modules', 'improvement', 'The initramfs now tells vfio-pci which devices to claim', [{ what: 'vfio-pci ids inside the initramfs', before: null, after: [...optB].join('; '), source: ib.image }]));
      }
    } else if (ia && !ib) {
      out.note('initramfs contents not compared: the later snapshot could not read the initramfs');
    }
    // The generator's own list (/etc/initramfs-tools/modules, dracut, mkinitcpio) and the boot-time lists.
    for (const stage of ['initramfs', 'boot'] as const) {
      const listed = (s: Snapshot) => new Set(s.modules.loadAtBoot.filter((e) => e.stage === stage).map((e) => moduleKey(e.module)).filter((m) => VFIO.has(m)));
      const files = (s: Snapshot) => [...new Set(s.modules.loadAtBoot.filter((e) => e.stage === stage).map((e) => e.file))].join(', ');
      const where = stage === 'initramfs' ? "the initramfs generator's module list" : 'the boot module lists';
      compareSets(ctx, out, where, files(ctx.a.snap) || files(ctx.b.snap) || where, listed(ctx.a.snap), listed(ctx.b.snap));
    }
  },
};
