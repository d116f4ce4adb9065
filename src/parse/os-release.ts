import type { DistroFamily, OsRelease } from '../snapshot/types.js';

// os-release(5): KEY=value lines, values optionally quoted with shell-style escapes.
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!.trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) {
      v = v.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    }
    out[m[1]!] = v;
  }
  return out;
}

export function distroFamily(id: string | null, idLike: string[], extraHints: { proxmox?: boolean } = {}): DistroFamily {
  const ids = [id ?? '', ...idLike].map((s) => s.toLowerCase());
  if (extraHints.proxmox) return 'proxmox';
  const has = (...names: string[]) => ids.some((i) => names.includes(i));
  if (has('debian', 'ubuntu', 'linuxmint', 'pop', 'raspbian', 'kali', 'elementary', 'zorin')) return 'debian';
  if (has('fedora')) return 'fedora';
  if (has('rhel', 'centos', 'rocky', 'almalinux', 'ol', 'scientific')) return 'rhel';
  if (has('suse', 'opensuse', 'sles', 'sle-micro', 'opensuse-leap', 'opensuse-tumbleweed')) return 'suse';
  if (has('arch', 'manjaro', 'endeavouros', 'garuda', 'cachyos')) return 'arch';
  if (has('alpine')) return 'alpine';
  if (has('nixos')) return 'nixos';
  return 'other';
}

export function parseOsRelease(text: string, hints: { proxmox?: boolean } = {}): OsRelease {
  const kv = parseEnvFile(text);
  const id = kv['ID'] ?? null;
  const idLike = (kv['ID_LIKE'] ?? '').split(/\s+/).filter(Boolean);
  return {
    id,
    idLike,
    versionId: kv['VERSION_ID'] ?? null,
    prettyName: kv['PRETTY_NAME'] ?? null,
    family: distroFamily(id, idLike, hints),
  };
}
