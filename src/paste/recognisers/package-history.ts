// Package manager logs that show a kernel being installed or removed: apt's history.log ("Install:
// linux-image-6.8.0-48-generic:amd64 (6.8.0-48.48)"), dpkg.log ("install linux-image-..."), dnf/yum
// ("Installed: kernel-6.6.9-200.fc39.x86_64", dnf history), pacman.log ("upgraded linux (6.6.8.arch1-1
// -> 6.7.arch3-1)") and Proxmox kernel packages. They tell which kernels are on disk.
import type { InstalledKernel } from '../../snapshot/types.js';
import { whereText, type Recogniser } from '../types.js';
import type { PasteFacts } from '../facts.js';

const APT_FIELD = /^(Start-Date|Commandline|Requested-By|Install|Upgrade|Remove|Purge|Reinstall|Downgrade|End-Date): ?(.*)$/;
const DPKG = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (install|upgrade|remove|purge|status|configure|trigproc|startup) /;
const YUM = /^(?:\w{3} \d\d \d\d:\d\d:\d\d |\d{4}-\d\d-\d\dT[\d:+-]+ \w+ )?(Installed|Upgraded|Erased|Removed|Updated|Install|Upgrade|Upgraded|Removing|Erase):? +(\S+)/;
const PACMAN = /^\[[\d-]+[T ][\d:+-]+\] \[ALPM\] (installed|upgraded|removed|downgraded|reinstalled) (\S+) \((.*)\)$/;

/** Kernel release a kernel package installs, from its name (and version, for Arch). */
export function kernelOfPackage(pkg: string, version = ''): string | null {
  const name = pkg.replace(/:(amd64|arm64|i386|all)$/, '');
  let m = /^(?:linux-image(?:-unsigned)?|linux-modules|linux-headers)-(\d+\.\d+\S*)$/.exec(name);
  if (m && !/^\d+\.\d+$/.test(m[1]!)) return m[1]!;
  m = /^(?:pve-kernel|proxmox-kernel)-(\d+\.\d+\.\d+-\d+-pve)(?:-signed)?$/.exec(name);
  if (m) return m[1]!;
  m = /^kernel(?:-core|-modules(?:-core)?)?-(\d+\.\d+\.\d+-\S+)$/.exec(name);
  if (m) return m[1]!;
  if (/^linux(?:-lts|-zen|-hardened)?$/.test(name) && version) {
    // pacman "6.7.arch3-1" is uname "6.7.0-arch3-1"; "6.6.8.arch1-1" is "6.6.8-arch1-1".
    const v = /^(\d+\.\d+)(?:\.(\d+))?\.(\S+)$/.exec(version);
    if (v) return `${v[1]}.${v[2] ?? '0'}-${v[3]}${name === 'linux' ? '' : name.slice(5)}`;
  }
  return null;
}

function install(facts: PasteFacts, release: string, removed: boolean): void {
  const list = facts.installedKernels;
  const k = list.findIndex((x) => x.version === release);
  if (removed) {
    if (k >= 0) list.splice(k, 1);
    return;
  }
  if (k >= 0) return;
  // The package puts its image in /boot (Fedora and Arch also in the modules directory).
  const entry: InstalledKernel = { version: release, modulesDir: true, vmlinuz: `/boot/vmlinuz-${release}`, initramfs: null, config: null };
  list.push(entry);
}

function packagesOf(value: string): { pkg: string; version: string }[] {
  // "linux-image-6.8.0-48-generic:amd64 (6.8.0-48.48), linux-modules-... (6.8.0-48.48, automatic)"
  return [...value.matchAll(/([\w.+:-]+) \(([^)]*)\)/g)].map((m) => ({ pkg: m[1]!, version: m[2]!.split(',')[0]!.split(' -> ').pop()!.trim() }));
}

export const packageHistory: Recogniser = {
  id: 'package-history',
  label: 'package history (apt history.log, dpkg.log, dnf/yum, pacman.log)',
  commands: /apt\/history|dpkg\.log|dnf\s+history|yum\.log|dnf\.rpm\.log|pacman\.log|^rpm\s+-q/,
  match(lines, at) {
    const t = lines[at]!.text.trim();
    const events: { pkg: string; version: string; removed: boolean }[] = [];
    const apt = APT_FIELD.exec(t);
    if (apt) {
      if (['Install', 'Upgrade', 'Reinstall', 'Downgrade'].includes(apt[1]!)) events.push(...packagesOf(apt[2]!).map((p) => ({ ...p, removed: false })));
      if (['Remove', 'Purge'].includes(apt[1]!)) events.push(...packagesOf(apt[2]!).map((p) => ({ ...p, removed: true })));
    } else if (DPKG.test(t)) {
      const m = /^\S+ \S+ (install|upgrade|remove|purge) (\S+) \S+ (\S+)/.exec(t);
      if (m) events.push({ pkg: m[2]!, version: m[3]!, removed: m[1] === 'remove' || m[1] === 'purge' });
    } else if (PACMAN.test(t)) {
      const m = PACMAN.exec(t)!;
      events.push({ pkg: m[2]!, version: m[3]!.split(' -> ').pop()!, removed: m[1] === 'removed' });
    } else {
      const m = YUM.exec(t);
      if (!m || !kernelOfPackage(m[2]!.replace(/^\d+:/, ''))) return null;
      events.push({ pkg: m[2]!.replace(/^\d+:/, ''), version: '', removed: /^(Erased|Removed|Removing|Erase)$/.test(m[1]!) });
    }
    return {
      length: 1,
      apply(facts, where) {
        let kernels = 0;
        for (const e of events) {
          const release = kernelOfPackage(e.pkg, e.version);
          if (!release) continue;
          install(facts, release, e.removed);
          kernels++;
        }
        if (kernels > 0) {
          facts.addTool({ tool: 'package-manager', source: where.file, line: where.from, text: t });
          facts.note('package-history', whereText(where));
        }
      },
    };
  },
};
