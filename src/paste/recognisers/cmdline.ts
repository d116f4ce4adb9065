// The running kernel's command line: cat /proc/cmdline ("BOOT_IMAGE=/boot/vmlinuz-... root=UUID=... ro
// quiet intel_iommu=on"). Without a prompt it is known by BOOT_IMAGE=, initrd= or root=; a line shown as
// /etc/kernel/cmdline is the configured one for the next boot instead.
import { parseCmdline } from '../../parse/cmdline.js';
import { whereText, type Recogniser } from '../types.js';

const PARAM = /^(?:[\w.\-/]+(?:=\S*)?|[\w.\-/]+="[^"]*")$/;

function looksLikeCmdline(t: string, hinted: boolean): boolean {
  if (t === '' || /: /.test(t) || t.startsWith('#')) return false;
  const tokens = t.split(/\s+/);
  const params = tokens.filter((w) => PARAM.test(w) || w.startsWith('--') || w === '--');
  if (hinted) return params.length >= tokens.length * 0.8;
  return /(?:^|\s)(?:BOOT_IMAGE|initrd|root)=/.test(t) && params.length === tokens.length;
}

export const cmdline: Recogniser = {
  id: 'cmdline',
  label: 'kernel command line (/proc/cmdline, /etc/kernel/cmdline)',
  commands: /(?:\/proc\/cmdline|\/etc\/kernel\/cmdline)/,
  match(lines, at, ctx) {
    const t = lines[at]!.text.trim();
    const shows = ctx.shows ?? /(\/proc\/cmdline|\/etc\/kernel\/cmdline)/.exec(ctx.command ?? '')?.[1] ?? null;
    const hinted = shows !== null;
    if (!looksLikeCmdline(t, hinted)) return null;
    return {
      length: 1,
      apply(facts, where) {
        const w = whereText(where);
        if (shows === '/etc/kernel/cmdline') {
          facts.kernelCmdlineFile = t;
          facts.note('etc/kernel/cmdline', w);
          return;
        }
        facts.cmdline = parseCmdline(t);
        facts.note('proc/cmdline', w, hinted ? undefined : 'a kernel command line without the command shown: read as /proc/cmdline');
      },
    };
  },
};
