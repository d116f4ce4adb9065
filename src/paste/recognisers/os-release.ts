// Which distribution: /etc/os-release (NAME=, ID=, VERSION_ID=, ...), hostnamectl ("Operating System:
// Ubuntu 22.04.3 LTS", "Kernel: Linux 6.2.0-39-generic"), lsb_release -a, and pveversion ("pve-manager/
// 8.1.3/b46aac3b42da5d15 (running kernel: 6.5.11-7-pve)"), which also marks a Proxmox VE host.
import { parseOsRelease } from '../../parse/os-release.js';
import { whereText, type Recogniser } from '../types.js';

const OS_RELEASE = /^(?:NAME|VERSION|ID|ID_LIKE|PRETTY_NAME|VERSION_ID|VERSION_CODENAME|UBUNTU_CODENAME|HOME_URL|SUPPORT_URL|BUG_REPORT_URL|PRIVACY_POLICY_URL|LOGO|ANSI_COLOR|BUILD_ID|VARIANT|VARIANT_ID|CPE_NAME|DOCUMENTATION_URL|PLATFORM_ID|SUPPORT_END|DEFAULT_HOSTNAME|REDHAT_\w+|IMAGE_ID|IMAGE_VERSION)=/;
const HOSTNAMECTL = /^(Static hostname|Transient hostname|Icon name|Chassis|Machine ID|Boot ID|Virtualization|Operating System|CPE OS Name|Kernel|Architecture|Hardware Vendor|Hardware Model|Firmware Version|Firmware Date|Firmware Age|OS Support End|OS Support Remaining|Deployment|Location|Pretty hostname)\s*:\s*(.*)$/;
const LSB = /^(Distributor ID|Description|Release|Codename|LSB Version|No LSB modules are available\.)(?::\s*(.*))?$/;
const PVEVERSION = /^(?:pve-manager\/([\d.]+)\/\w+|proxmox-ve: ([\d.]+)) \(running kernel: (\S+)\)$/;

export const osRelease: Recogniser = {
  id: 'os-release',
  label: 'distribution (/etc/os-release, hostnamectl, lsb_release, pveversion)',
  commands: /os-release|^hostnamectl\b|^lsb_release\b|^pveversion\b/,
  match(lines, at) {
    const t = lines[at]!.text.trim();
    const pve = PVEVERSION.exec(t);
    if (pve) {
      return {
        length: 1,
        apply(facts, where) {
          facts.proxmox = true;
          facts.kernelRelease ??= pve[3]!;
          facts.note('pveversion', whereText(where));
          if (facts.osRelease) facts.osRelease = { ...facts.osRelease, family: 'proxmox' };
          else facts.osRelease = { id: 'debian', idLike: [], versionId: null, prettyName: `Proxmox VE ${pve[1] ?? pve[2]}`, family: 'proxmox' };
        },
      };
    }
    for (const [re, kind] of [[OS_RELEASE, 'os-release'], [HOSTNAMECTL, 'hostnamectl'], [LSB, 'lsb']] as const) {
      if (!re.test(t)) continue;
      let i = at;
      while (i < lines.length && re.test(lines[i]!.text.trim())) i++;
      const slice = lines.slice(at, i).map((l) => l.text.trim());
      return {
        length: i - at,
        apply(facts, where) {
          const w = whereText(where);
          if (kind === 'os-release') {
            facts.osRelease = parseOsRelease(slice.join('\n'), { proxmox: facts.proxmox });
            facts.note('os-release', w);
            return;
          }
          const kv = new Map(slice.map((l) => (kind === 'hostnamectl' ? HOSTNAMECTL : LSB).exec(l)!).map((m) => [m[1]!, (m[2] ?? '').trim()]));
          const pretty = kv.get('Operating System') ?? kv.get('Description') ?? null;
          const id = (kv.get('Distributor ID') ?? pretty?.split(/\s/)[0] ?? '').toLowerCase() || null;
          if (pretty && !facts.osRelease) {
            const version = /\b(\d+(?:\.\d+)?)/.exec(kv.get('Release') ?? pretty)?.[1] ?? null;
            facts.osRelease = parseOsRelease(`ID=${id === 'pop!_os' ? 'pop' : id ?? ''}\nPRETTY_NAME="${pretty}"\n${version ? `VERSION_ID=${version}\n` : ''}`, { proxmox: facts.proxmox });
            facts.note('os-release', w, kind);
          }
          const kernel = /^Linux (\S+)$/.exec(kv.get('Kernel') ?? '')?.[1];
          if (kernel) {
            facts.kernelRelease ??= kernel;
            facts.note('proc/sys/kernel/osrelease', w, 'hostnamectl');
          }
          if (kv.get('Static hostname')) facts.hostname ??= kv.get('Static hostname')!;
        },
      };
    }
    return null;
  },
};
