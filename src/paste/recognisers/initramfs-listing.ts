// What an initramfs holds, as lsinitrd (dracut), lsinitramfs (initramfs-tools) or lsinitcpio (Arch) list
// it: module paths (".../kernel/drivers/vfio/pci/vfio-pci.ko.zst") and modprobe.d files inside. ls -l
// style lines (lsinitrd, lsinitramfs -l) and bare paths are both read.
import type { InitramfsInfo } from '../../snapshot/types.js';
import { moduleKey } from '../../parse/proc-modules.js';
import { whereText, type Recogniser } from '../types.js';

const PATH_LINE = /^(?:[-dlcbps][rwxsStT-]{9}[.+]?\s+\d+\s+\S+\s+\S+\s+\d+\s+(?:\w{3}\s+\d+\s+[\d:]+|\d{4}-\d\d-\d\d\s+[\d:]+)\s+)?(\.?\/?(?:usr\/)?(?:lib|etc|bin|sbin|conf|scripts|run|var|dev|proc|sys|kernel|init|hooks|root|tmp|early_cpio|x86)(?:\/\S*)?)(?: -> \S+)?$/;
const KO = /\/([\w-]+)\.ko(?:\.(?:xz|zst|gz))?$/;
const KERNEL_DIR = /lib\/modules\/([^/]+)\//;

export const initramfsListing: Recogniser = {
  id: 'initramfs-listing',
  label: 'initramfs listings (lsinitrd, lsinitramfs, lsinitcpio)',
  commands: /^(?:lsinitrd|lsinitramfs|lsinitcpio|unmkinitramfs|cpio\s+-t)\b/,
  match(lines, at, ctx) {
    const hinted = ctx.command !== null && /^(?:lsinitrd|lsinitramfs|lsinitcpio|cpio\s+-t)/.test(ctx.command) && !/\|/.test(ctx.command);
    const first = PATH_LINE.exec(lines[at]!.text.trim());
    // Without the command, only a run that lists kernel modules is taken for an initramfs listing. With
    // it, the whole chunk is the listing: lsinitrd's header (Image:, Version:, dracut modules) included.
    if (!hinted && (!first || !KO.test(first[1]!))) return null;
    let i = at;
    const paths: string[] = [];
    while (i < lines.length) {
      const m = PATH_LINE.exec(lines[i]!.text.trim());
      if (m) paths.push(m[1]!.replace(/^\.?\//, ''));
      else if (!hinted) break;
      i++;
    }
    if (!hinted && paths.filter((p) => KO.test(p)).length < 2) return null;
    return {
      length: i - at,
      apply(facts, where) {
        const w = whereText(where);
        const modules = [...new Set(paths.map((p) => KO.exec(p)?.[1]).filter((x): x is string => Boolean(x)).map(moduleKey))].sort();
        const kernel = paths.map((p) => KERNEL_DIR.exec(p)?.[1]).find(Boolean) ?? /(?:initrd\.img-|initramfs-)(\S+?)(?:\.img)?$/.exec(ctx.command ?? '')?.[1] ?? facts.kernelRelease ?? 'unknown';
        const info: InitramfsInfo = { kernel, image: `${w}${ctx.command ? ` (${ctx.command})` : ''}`, modules, modprobe: [], loadAtBoot: [], entries: paths.length };
        facts.initramfs = info;
        facts.note('initramfs', w);
      },
    };
  },
};
