// /proc/iomem: address ranges and who claims them, nested by two spaces per level ("  2800000000-2801fa3fff
// : BOOTFB"). Only the parts inside PCI devices matter (a framebuffer inside a GPU's BAR).
import { parseIomem, pciIomem } from '../../parse/iomem.js';
import { whereText, type Recogniser } from '../types.js';

const LINE = /^ *[0-9a-fA-F]+-[0-9a-fA-F]+ : \S/;

export const iomem: Recogniser = {
  id: 'iomem',
  label: '/proc/iomem',
  commands: /\/proc\/iomem/,
  match(lines, at) {
    if (!LINE.test(lines[at]!.text)) return null;
    let i = at;
    while (i < lines.length && LINE.test(lines[i]!.text)) i++;
    const text = lines.slice(at, i).map((l) => l.text).join('\n');
    return {
      length: i - at,
      apply(facts, where) {
        const entries = pciIomem(parseIomem(text));
        facts.iomem = [...(facts.iomem ?? []), ...entries];
        facts.note('proc/iomem', whereText(where), entries.length === 0 ? 'no ranges inside PCI devices in the excerpt' : undefined);
      },
    };
  },
};
