import type { DevNode, DevNodesInfo } from '../../snapshot/types.js';
import { idNames, parseAccounts } from '../../parse/passwd.js';
import { note, type CollectContext } from '../context.js';

// Under --root a copied tree rarely holds real device nodes (copying them needs root and tar), so a
// capture may describe them in dev/.nodes.json: { "/dev/vfio/vfio": { "type": "char", "mode": "0666",
// "uid": 0, "gid": 0 }, ... }. Without that file the tree's own entries are read.
const SIDECAR = '/dev/.nodes.json';

interface SidecarNode {
  type?: string;
  mode?: string;
  uid?: number;
  gid?: number;
}

function loadSidecar(ctx: CollectContext): Map<string, SidecarNode> | null {
  if (ctx.live) return null;
  const r = ctx.fs.readText(SIDECAR);
  if (!r.ok) return null;
  note(ctx, 'dev/.nodes.json', r.record);
  try {
    const data = JSON.parse(r.value) as Record<string, SidecarNode>;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('not an object');
    return new Map(Object.entries(data));
  } catch (err) {
    note(ctx, 'dev/.nodes.json', { status: 'error', path: SIDECAR, message: `not valid JSON: ${(err as Error).message}` });
    return null;
  }
}

export function collectDevNodes(ctx: CollectContext): DevNodesInfo {
  const text = (file: string) => {
    const r = ctx.fs.readText(file);
    return r.ok ? r.value : '';
  };
  const accounts = parseAccounts(text('/etc/passwd'), text('/etc/group'));
  const users = idNames(accounts.users);
  const groups = idNames(accounts.groups);
  const sidecar = loadSidecar(ctx);

  const fromSidecar = (p: string, n: SidecarNode): DevNode => {
    const uid = n.uid ?? 0;
    const gid = n.gid ?? 0;
    const t = n.type === 'char' || n.type === 'block' || n.type === 'dir' ? n.type : 'other';
    return { path: p, type: t, mode: n.mode ?? '0000', uid, gid, owner: users.get(uid) ?? null, group: groups.get(gid) ?? null };
  };

  const node = (p: string): DevNode | null => {
    if (sidecar) {
      const n = sidecar.get(p);
      return n ? fromSidecar(p, n) : null;
    }
    const st = ctx.fs.lstat(p);
    if (!st.ok) return null;
    const s = st.value;
    return {
      path: p,
      type: s.isCharacterDevice() ? 'char' : s.isBlockDevice() ? 'block' : s.isDirectory() ? 'dir' : 'other',
      mode: '0' + (s.mode & 0o7777).toString(8).padStart(3, '0'),
      uid: s.uid,
      gid: s.gid,
      owner: users.get(s.uid) ?? null,
      group: groups.get(s.gid) ?? null,
    };
  };

  const dirNodes = (dir: string, id: string): DevNode[] | null => {
    let names: string[];
    if (sidecar) {
      const prefix = dir + '/';
      names = [...sidecar.keys()].filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('/')).map((k) => k.slice(prefix.length));
      if (names.length === 0 && !sidecar.has(dir)) {
        note(ctx, id, { status: 'absent', path: dir, message: 'not present' });
        return null;
      }
    } else {
      const r = ctx.fs.readDir(dir);
      note(ctx, id, r.record);
      if (!r.ok) return null;
      names = r.value;
    }
    note(ctx, id, { status: 'read', path: dir });
    return names.sort().map((n) => node(`${dir}/${n}`)).filter((n): n is DevNode => n !== null && n.type !== 'dir');
  };

  if (!sidecar) note(ctx, 'dev', ctx.fs.readDir('/dev').record);
  return {
    vfio: dirNodes('/dev/vfio', 'dev/vfio'),
    vfioDevices: dirNodes('/dev/vfio/devices', 'dev/vfio/devices'),
    kvm: node('/dev/kvm'),
    iommu: node('/dev/iommu'),
  };
}
