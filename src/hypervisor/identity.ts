// Which user and group QEMU runs as, resolved to ids.
import type { QemuIdentity } from './types.js';
import type { Accounts } from '../parse/passwd.js';

/** qemu.conf assignments (user = "libvirt-qemu", dynamic_ownership = 0). */
export function parseQemuConf(text: string): Record<string, { value: string; line: number }> {
  const out: Record<string, { value: string; line: number }> = {};
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const m = /^\s*([A-Za-z_][\w]*)\s*=\s*(?:"([^"]*)"|(\S+))/.exec(lines[n]!);
    if (m) out[m[1]!] = { value: m[2] ?? m[3]!, line: n + 1 };
  }
  return out;
}

/** "+64055" -> uid 64055; a name -> looked up. */
function lookup<T extends { name: string; id: number }>(list: T[], spec: string): T | { name: string; id: number } | undefined {
  if (spec.startsWith('+') && /^\+\d+$/.test(spec)) {
    const id = Number(spec.slice(1));
    return list.find((x) => x.id === id) ?? { name: spec, id };
  }
  return list.find((x) => x.name === spec);
}

export function resolveIdentity(acc: Accounts, user: string, group: string | null, from: string, dynamicOwnership: boolean): QemuIdentity {
  const u = lookup(acc.users, user);
  const primary = u && 'gid' in u ? u.gid : null;
  const g = group !== null ? lookup(acc.groups, group) : primary !== null ? acc.groups.find((x) => x.id === primary) : undefined;
  const gid = g?.id ?? primary;
  const gids = new Set<number>();
  if (gid !== null && gid !== undefined) gids.add(gid);
  if (primary !== null) gids.add(primary);
  for (const x of acc.groups) if (x.members.includes(user)) gids.add(x.id);
  return { user, group: g?.name ?? group ?? (primary !== null ? String(primary) : ''), uid: u?.id ?? null, gid: gid ?? null, gids: [...gids].sort((a, b) => a - b), from, dynamicOwnership };
}

/** libvirt's built-in default when qemu.conf sets no user: distributions patch it (Debian libvirt-qemu, Fedora qemu). */
export function defaultLibvirtUser(acc: Accounts): string {
  for (const name of ['libvirt-qemu', 'qemu']) if (acc.users.some((u) => u.name === name)) return name;
  return 'root';
}
