// lsmod ("Module Size Used by" and "vfio_pci 16384 0") and /proc/modules ("vfio_pci 16384 0 - Live
// 0x0000000000000000"). A listing without its header was usually filtered (lsmod | grep vfio): the modules
// it shows are loaded, the others are not known either way.
import { parseProcModules } from '../../parse/proc-modules.js';
import { whereText, type Recogniser } from '../types.js';

const HEADER = /^Module\s+Size\s+Used by$/;
const LINE = /^[\w-]+\s+\d+\s+-?\d+(?:\s+(?:[\w,-]+|\[permanent\]))?(?:\s+(?:Live|Loading|Unloading)(?:\s+0x[0-9a-f]+)?(?:\s+\([A-Z+-]+\))?)?$/;

export const lsmod: Recogniser = {
  id: 'lsmod',
  label: 'lsmod / /proc/modules',
  commands: /^(?:lsmod|cat\s+\/proc\/modules)\b/,
  match(lines, at) {
    const first = lines[at]!.text.trim();
    const header = HEADER.test(first);
    if (!header && !LINE.test(first)) return null;
    let i = at + (header ? 1 : 0);
    while (i < lines.length && LINE.test(lines[i]!.text.trim())) i++;
    const text = lines.slice(at, i).map((l) => l.text.trim()).join('\n');
    return {
      length: i - at,
      apply(facts, where) {
        const mods = parseProcModules(text);
        facts.modulesLoaded = [...(facts.modulesLoaded ?? []), ...mods.filter((m) => !facts.modulesLoaded?.some((x) => x.name === m.name))];
        facts.note('proc/modules', whereText(where), header ? undefined : 'no header: possibly filtered, so modules not shown are not known to be absent');
      },
    };
  },
};
