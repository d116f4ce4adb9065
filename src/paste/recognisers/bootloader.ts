// The command line configured for the next boot: /etc/default/grub (GRUB_CMDLINE_LINUX[_DEFAULT]),
// systemd-boot / BLS entries ("options ..."), grub.cfg "linux" lines and GRUB script variables holding
// kernel arguments ("set kernelcmd=\"... intel_iommu=on\"", as Harvester's cOS images write).
import { whereText, type InputLine, type Recogniser } from '../types.js';

const GRUB_VAR = /^(?:[^\s:]+:)?(GRUB_[A-Z_]+)=(.*)$/;
const BLS_KEY = /^(title|version|linux|initrd|options|machine-id|sort-key|architecture|devicetree|efi)\s+(.*)$/;
const GRUB_LINUX = /^(?:linux|linuxefi|linux16)\s+(\S+)\s*(.*)$/;
const GRUB_SET = /^set\s+(\w*(?:cmd|args|cmdline|opts|options)\w*)="?(.*?)"?$/i;

function unquote(v: string): string {
  const s = v.trim();
  return /^(["']).*\1$/.test(s) ? s.slice(1, -1) : s;
}

/** A BLS entry: "options", or a "linux" path next to a "title", is what makes key-value lines one. */
function blsEntry(lines: readonly InputLine[], at: number): { length: number; kv: Record<string, string> } | null {
  let i = at;
  const kv: Record<string, string> = {};
  while (i < lines.length) {
    const m = BLS_KEY.exec(lines[i]!.text.trim());
    if (!m) break;
    kv[m[1]!] = kv[m[1]!] ? `${kv[m[1]!]} ${m[2]!.trim()}` : m[2]!.trim();
    i++;
  }
  return kv['options'] || (kv['linux'] && kv['title']) ? { length: i - at, kv } : null;
}

export const bootloader: Recogniser = {
  id: 'bootloader',
  label: 'boot loader configuration (/etc/default/grub, BLS entries, grub.cfg)',
  commands: /\/etc\/default\/grub|loader\/entries|grub2?\.cfg|bootctl|grubby/,
  match(lines, at, ctx) {
    const t = lines[at]!.text.trim();
    const inGrubFile = ctx.shows !== null && /default\/grub/.test(ctx.shows);
    const g = GRUB_VAR.exec(t);
    if (g || (inGrubFile && (t.startsWith('#') || t === ''))) {
      return {
        length: 1,
        apply(facts, where) {
          if (!g) return;
          const file = /^([^\s:]+):GRUB_/.exec(t)?.[1] ?? ctx.shows ?? '/etc/default/grub';
          const cur = facts.grubDefault ?? { file, cmdlineLinux: null, cmdlineLinuxDefault: null };
          if (g[1] === 'GRUB_CMDLINE_LINUX') cur.cmdlineLinux = unquote(g[2]!);
          if (g[1] === 'GRUB_CMDLINE_LINUX_DEFAULT') cur.cmdlineLinuxDefault = unquote(g[2]!);
          facts.grubDefault = cur;
          facts.note('etc/default/grub', whereText(where));
        },
      };
    }
    const bls = BLS_KEY.test(t) ? blsEntry(lines, at) : null;
    if (bls) {
      const { length, kv } = bls;
      return {
        length,
        apply(facts, where) {
          facts.blsEntries.push({ file: ctx.shows ?? `${whereText(where)} (boot entry)`, title: kv['title'] ?? null, version: kv['version'] ?? null, linux: kv['linux'] ?? null, options: kv['options'] ?? null });
          facts.note('boot-entries', whereText(where));
        },
      };
    }
    const gl = GRUB_LINUX.exec(t);
    const gs = GRUB_SET.exec(t);
    if ((gl && /\bro\b|root=|\/vmlinuz/.test(t)) || (gs && /root=|iommu|vfio|quiet/.test(gs[2]!))) {
      return {
        length: 1,
        apply(facts, where) {
          facts.blsEntries.push({ file: `${whereText(where)} (grub.cfg)`, title: null, version: null, linux: gl ? gl[1]! : null, options: gl ? gl[2]! : gs![2]! });
          facts.note('grub.cfg', whereText(where));
        },
      };
    }
    return null;
  },
};
