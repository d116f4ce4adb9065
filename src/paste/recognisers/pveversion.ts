// `pveversion -v` of every Proxmox VE era: "package: version" lines headed by proxmox-ve (or pve-manager)
// with the running kernel in parentheses. Versions are "8.2.0" now and "5.4-2" in the 5.x/6.x era; kernel
// packages are proxmox-kernel-6.8.12-4-pve-signed (8.x) or pve-kernel-5.15.158-2-pve (up to 7.x). The
// running kernel and the installed kernel packages are what it gives beyond "this is Proxmox".
import { whereText, type Recogniser } from '../types.js';
import type { PasteFacts } from '../facts.js';

const HEAD = /^(?:proxmox-ve|pve-manager): ([\d][\w.-]*) \((?:running kernel: (\S+?)|running version: [^)]*)\)$/;
const PACKAGE = /^[a-z0-9][\w.+-]*: (?:[\w.:~+-]+(?: \([^)]*\))?|not correctly installed)$/;
const KERNEL_PACKAGE = /^(?:pve|proxmox)-kernel-(\d+\.\d+\.\d+-\d+-pve)(?:-signed)?: /;

function record(facts: PasteFacts, texts: string[], where: string): void {
  facts.proxmox = true;
  let version: string | null = null;
  for (const t of texts) {
    const h = HEAD.exec(t);
    if (h) {
      version ??= h[1]!;
      if (h[2]) facts.kernelRelease ??= h[2];
    }
    const k = KERNEL_PACKAGE.exec(t);
    if (k && !facts.installedKernels.some((x) => x.version === k[1])) {
      facts.installedKernels.push({ version: k[1]!, modulesDir: true, vmlinuz: `/boot/vmlinuz-${k[1]}`, initramfs: null, config: null });
    }
  }
  if (facts.osRelease) facts.osRelease = { ...facts.osRelease, family: 'proxmox' };
  else facts.osRelease = { id: 'debian', idLike: [], versionId: null, prettyName: `Proxmox VE ${version ?? ''}`.trim(), family: 'proxmox' };
  facts.note('pveversion', where, 'pveversion -v');
}

export const pveversionVerbose: Recogniser = {
  id: 'pveversion-v',
  label: 'pveversion -v (every Proxmox VE era)',
  commands: /^pveversion\s+-v|^pveversion\s+--verbose/,
  match(lines, at) {
    if (!HEAD.test(lines[at]!.text.trim())) return null;
    let i = at + 1;
    while (i < lines.length && PACKAGE.test(lines[i]!.text.trim())) i++;
    // A lone head line is plain pveversion (the os-release recogniser reads it).
    if (i === at + 1) return null;
    const texts = lines.slice(at, i).map((l) => l.text.trim());
    return { length: i - at, apply: (facts, where) => record(facts, texts, whereText(where)) };
  },
};
