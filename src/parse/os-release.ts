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
  if (extraHints.proxmox) return 'proxmox';
  // ID decides first, then ID_LIKE in its own order (Rocky is "rhel centos fedora": rhel, not fedora).
  for (const candidate of [id ?? '', ...idLike].map((s) => s.toLowerCase())) {
    const f = FAMILY_OF[candidate];
    if (f) return f;
  }
  return 'other';
}

const FAMILY_OF: Record<string, DistroFamily> = {
  debian: 'debian', ubuntu: 'debian', linuxmint: 'debian', pop: 'debian', raspbian: 'debian', kali: 'debian', elementary: 'debian', zorin: 'debian',
  fedora: 'fedora',
  rhel: 'rhel', centos: 'rhel', rocky: 'rhel', almalinux: 'rhel', ol: 'rhel', scientific: 'rhel',
  suse: 'suse', opensuse: 'suse', sles: 'suse', 'sle-micro': 'suse', 'opensuse-leap': 'suse', 'opensuse-tumbleweed': 'suse',
  arch: 'arch', manjaro: 'arch', endeavouros: 'arch', garuda: 'arch', cachyos: 'arch',
  alpine: 'alpine',
  nixos: 'nixos',
};

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
