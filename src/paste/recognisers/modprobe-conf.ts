// modprobe.d content: "options vfio-pci ids=10de:1e87,10de:10f8", "softdep nvidia pre: vfio-pci",
// "blacklist nouveau", "install snd_hda_intel /bin/false", with comments; the file comes from a header
// ("==> /etc/modprobe.d/vfio.conf <==", "cat /etc/modprobe.d/vfio.conf") or a grep prefix
// ("/etc/modprobe.d/blacklist-nouveau.conf:blacklist nouveau").
import { parseModprobeConf } from '../../parse/modprobe-conf.js';
import { whereText, type Recogniser } from '../types.js';

const DIRECTIVE = /^(?:([^\s:]+\.conf):(?:\d+:)?)?(options|blacklist|softdep|install|remove|alias)\s+[\w.*?:\-[\]]+(?:\s|$)/;
const COMMENT = /^(?:[^\s:]+\.conf:(?:\d+:)?)?#/;

export const modprobeConf: Recogniser = {
  id: 'modprobe-conf',
  label: 'modprobe.d files',
  commands: /modprobe\.d|modprobe\.conf|^modprobe\s+-c/,
  match(lines, at, ctx) {
    let i = at;
    let directives = 0;
    while (i < lines.length) {
      const t = lines[i]!.text.trim();
      if (DIRECTIVE.test(t)) directives++;
      else if (!COMMENT.test(t) && t !== '') break;
      i++;
    }
    while (i > at && lines[i - 1]!.text.trim() === '') i--;
    if (directives === 0) return null;
    const slice = lines.slice(at, i);
    return {
      length: i - at,
      apply(facts, where) {
        for (const l of slice) {
          const t = l.text.trim();
          const prefixed = /^([^\s:]+\.conf):(?:(\d+):)?(.*)$/.exec(t);
          const file = prefixed?.[1] ?? ctx.shows ?? `modprobe.d (${whereText(where)})`;
          const body = prefixed ? prefixed[3]! : t;
          // grep -n gives the line in the file; a shown file starts where its chunk starts; otherwise the paste line.
          const line = prefixed?.[2] ? Number(prefixed[2]) : ctx.shows ? l.n - ctx.firstLine + 1 : l.n;
          for (const e of parseModprobeConf(body, file).entries) facts.modprobe.push({ ...e, line });
        }
        facts.note('modprobe.d', whereText(where));
      },
    };
  },
};
