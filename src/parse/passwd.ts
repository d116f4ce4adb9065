// /etc/passwd and /etc/group, as the device-node owners and the QEMU identity need them.

interface Account {
  name: string;
  id: number;
  gid: number;
}

export interface Accounts {
  users: Account[];
  groups: { name: string; id: number; members: string[] }[];
}

export function parseAccounts(passwd: string, group: string): Accounts {
  const users: Account[] = [];
  for (const l of passwd.split(/\r?\n/)) {
    const f = l.split(':');
    if (f.length >= 4 && !f[0]!.startsWith('#')) users.push({ name: f[0]!, id: Number(f[2]), gid: Number(f[3]) });
  }
  const groups: Accounts['groups'] = [];
  for (const l of group.split(/\r?\n/)) {
    const f = l.split(':');
    if (f.length >= 3 && !f[0]!.startsWith('#')) groups.push({ name: f[0]!, id: Number(f[2]), members: (f[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean) });
  }
  return { users, groups };
}

/** id -> name, the first name for an id winning (as getpwuid does). */
export function idNames(list: { name: string; id: number }[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const a of list) if (Number.isInteger(a.id) && !out.has(a.id)) out.set(a.id, a.name);
  return out;
}
