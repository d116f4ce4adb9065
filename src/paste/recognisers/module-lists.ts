// Lists of modules to load: dracut.conf(.d) (add_drivers+=" vfio vfio_pci "), mkinitcpio.conf
// (MODULES=(vfio_pci vfio vfio_iommu_type1)), and, when the command or header names the file,
// /etc/modules, /etc/initramfs-tools/modules and modules-load.d (one name per line).
import { parseDracutConf, parseInitramfsToolsModules, parseMkinitcpioConf } from '../../parse/initramfs-config.js';
import { parseModulesLoad } from '../../parse/modprobe-conf.js';
import { whereText, type Recogniser } from '../types.js';

const DRACUT = /^(?:[^\s:]+:)?\s*(?:add_drivers|force_drivers|drivers)\s*\+?=/;
const MKINITCPIO = /^(?:[^\s:]+:)?\s*MODULES=(?:\(|")/;
const NAME_FILE = /(\/etc\/modules|\/etc\/initramfs-tools\/modules|modules-load\.d\/[\w.-]+\.conf)$/;
const MODULE_NAME = /^[\w-]+(?:\s+\S.*)?$|^#|^;/;

export const moduleLists: Recogniser = {
  id: 'module-lists',
  label: 'module lists (dracut.conf, mkinitcpio.conf, /etc/modules, modules-load.d, initramfs-tools/modules)',
  commands: /dracut\.conf|mkinitcpio\.conf|\/etc\/modules|modules-load\.d|initramfs-tools\/modules/,
  match(lines, at, ctx) {
    const t = lines[at]!.text.trim();
    const shows = ctx.shows ?? null;
    if (DRACUT.test(t) || MKINITCPIO.test(t)) {
      const dracut = DRACUT.test(t);
      return {
        length: 1,
        apply(facts, where) {
          const file = /^([^\s:]+):/.exec(t)?.[1] ?? shows ?? (dracut ? `dracut.conf (${whereText(where)})` : `mkinitcpio.conf (${whereText(where)})`);
          const body = t.replace(/^[^\s:]+:(?=\s*(?:add_drivers|force_drivers|drivers|MODULES))/, '');
          const line = shows ? lines[at]!.n - ctx.firstLine + 1 : lines[at]!.n;
          const entries = (dracut ? parseDracutConf : parseMkinitcpioConf)(body, file).map((e) => ({ ...e, line }));
          facts.loadAtBoot.push(...entries);
          facts.note(dracut ? 'dracut.conf' : 'mkinitcpio.conf', whereText(where));
        },
      };
    }
    if (!shows || !NAME_FILE.test(shows) || !MODULE_NAME.test(t)) return null;
    let i = at;
    while (i < lines.length && (MODULE_NAME.test(lines[i]!.text.trim()) || lines[i]!.text.trim() === '')) i++;
    const slice = lines.slice(at, i);
    return {
      length: i - at,
      apply(facts, where) {
        const text = slice.map((l) => l.text).join('\n');
        const entries = shows.includes('initramfs-tools') ? parseInitramfsToolsModules(text, shows) : parseModulesLoad(text, shows, 'boot');
        facts.loadAtBoot.push(...entries.map((e) => ({ ...e, line: (slice[e.line - 1]?.n ?? e.line) - ctx.firstLine + 1 })));
        facts.note('modules-load', whereText(where));
      },
    };
  },
};
