// ls -l /boot (and sos's "ls -lanR /boot"): the kernels on disk by their files (vmlinuz-<release>,
// initrd.img-<release>, initramfs-<release>.img, config-<release>). An image there is taken as an
// installed kernel; a newer one than the running kernel means the host was not rebooted after an update.
import type { InstalledKernel } from '../../snapshot/types.js';
import { whereText, type Recogniser } from '../types.js';

const ENTRY = /^[-dlcbps][rwxsStT-]{9}[.+@]?\s+\d+\s+\S+\s+\S+\s+\d+\s+(?:\w{3}\s+\d+\s+[\d:]+|\d{4}-\d\d-\d\d\s+[\d:.]+(?:\s+[+-]\d{4})?)\s+(\S+)(?: -> \S+)?$/;
const HEADER = /^(?:\/boot[^:]*:|total \d+)$/;
const FILES: [RegExp, keyof InstalledKernel][] = [
  [/^vmlinuz-(.+)$/, 'vmlinuz'],
  [/^initrd\.img-(.+)$/, 'initramfs'],
  [/^initramfs-(.+?)\.img$/, 'initramfs'],
  [/^config-(.+)$/, 'config'],
];

export const bootListing: Recogniser = {
  id: 'boot-listing',
  label: 'ls -l /boot (kernels on disk)',
  commands: /^ls\b.*\s\/boot\/?(?:\s|$)/,
  match(lines, at, ctx) {
    if (!ctx.command || !/^ls\b.*\s\/boot\/?(?:\s|$)/.test(ctx.command)) return null;
    let i = at;
    const names: { dir: string; name: string }[] = [];
    let dir = '/boot';
    while (i < lines.length) {
      const t = lines[i]!.text.trim();
      const e = ENTRY.exec(t);
      if (t === '' || HEADER.test(t)) {
        if (/^\/boot[^:]*:$/.test(t)) dir = t.slice(0, -1);
      } else if (e) names.push({ dir, name: e[1]! });
      else break;
      i++;
    }
    if (names.length === 0) return null;
    return {
      length: i - at,
      apply(facts, where) {
        for (const { dir: d, name } of names) {
          if (d !== '/boot') continue;
          for (const [re, field] of FILES) {
            const m = re.exec(name);
            if (!m || m[1]!.endsWith('.old') || /rescue/.test(m[1]!)) continue;
            const version = m[1]!.replace(/\.(img|gz)$/, '');
            let k = facts.installedKernels.find((x) => x.version === version);
            if (!k) {
              k = { version, modulesDir: true, vmlinuz: null, initramfs: null, config: null };
              facts.installedKernels.push(k);
            }
            if (field === 'vmlinuz' || field === 'initramfs' || field === 'config') k[field] = `/boot/${name}`;
          }
        }
        facts.note('boot-dir', whereText(where));
      },
    };
  },
};
