import type { DevNode, Snapshot } from '../../snapshot/types.js';
import type { DiffContext } from '../context.js';
import type { ChangeKind } from '../types.js';
import { change, type ChangeClass, type ChangeSink } from './class.js';

// The nodes the VM manager opens: /dev/vfio/vfio (the container), /dev/vfio/<group> (one per group with
// a VFIO-bound device), /dev/kvm. Group nodes are named by group number, which changes between boots,
// so each is followed through its member functions to the group that holds them later.

function who(n: DevNode): string {
  return `${n.mode} ${n.owner ?? n.uid}:${n.group ?? n.gid}`;
}

/** Permission bits or ownership taken away: whoever could open it before may not now. */
function narrowed(a: DevNode, b: DevNode): boolean {
  const ma = parseInt(a.mode, 8);
  const mb = parseInt(b.mode, 8);
  return (ma & ~mb & 0o777) !== 0 || a.uid !== b.uid || a.gid !== b.gid;
}

/** `describe` says what the node is for; it is called only when there is a change to report. */
function compareNode(out: ChangeSink, path: string, a: DevNode | undefined, b: DevNode | undefined, matters: boolean | (() => boolean), describe: string | (() => string)): void {
  if (!a && !b) return;
  if (a && b && a.mode === b.mode && a.owner === b.owner && a.uid === b.uid && a.group === b.group && a.gid === b.gid) return;
  if (typeof matters === 'function') matters = matters();
  const what = typeof describe === 'function' ? describe() : describe;
  if (a && !b) {
    out.add(change('dev-node-lost', 'hypervisor', matters ? 'regression' : 'neutral', `${path} is gone (${what})`, [{ what: path, before: who(a), after: null, source: path }], { cause: null }));
    return;
  }
  if (!a && b) {
    out.add(change('dev-node-appeared', 'hypervisor', matters ? 'improvement' : 'neutral', `${path} appeared (${what})`, [{ what: path, before: null, after: who(b), source: path }]));
    return;
  }
  if (who(a!) === who(b!)) return;
  const kind: ChangeKind = narrowed(a!, b!) && matters ? 'regression' : 'neutral';
  out.add(
    change('dev-node-permissions-changed', 'hypervisor', kind, `${path}: permissions changed (${what})`, [{ what: path, before: who(a!), after: who(b!), source: path }], {
      cause: kind === 'regression' ? 'vfio-node-permissions' : null,
    }),
  );
}

function groupNodes(ctx: DiffContext, out: ChangeSink, va: DevNode[], vb: DevNode[]): void {
  const nodeA = new Map(va.filter((n) => /^\/dev\/vfio\/\d+$/.test(n.path)).map((n) => [Number(n.path.slice(10)), n]));
  const nodeB = new Map(vb.filter((n) => /^\/dev\/vfio\/\d+$/.test(n.path)).map((n) => [Number(n.path.slice(10)), n]));
  const matchedB = new Set<number>();
  for (const [gA, n] of nodeA) {
    const membersA = ctx.a.members.get(gA) ?? [];
    const membersB = membersA.map((x) => ctx.aToB.get(x)).filter((y): y is string => y !== undefined);
    // A group can split: follow it to whichever later group still has a node, if any does.
    const candidates = membersB.map((y) => ctx.b.groupOf.get(y)).filter((g): g is number => g !== undefined);
    const gB = candidates.find((g) => nodeB.has(g)) ?? candidates[0];
    if (gB !== undefined) matchedB.add(gB);
    const bNode = gB === undefined ? undefined : nodeB.get(gB);
    const path = bNode ? bNode.path : n.path;
    const names = () => (membersB.length ? membersB.join(', ') : membersA.join(', '));
    compareNode(out, path, n, bNode, () => membersA.some((x) => ctx.isTargetA(x)), () => `group of ${names()}${gB !== undefined && gB !== gA ? `, group ${gA} → ${gB}` : ''}`);
  }
  for (const [gB, n] of nodeB) {
    if (matchedB.has(gB)) continue;
    const membersB = ctx.b.members.get(gB) ?? [];
    compareNode(out, n.path, undefined, n, membersB.some((y) => ctx.isTargetB(y)), `group of ${membersB.join(', ') || gB}`);
  }
}

/** /dev/vfio's nodes; [] when the directory does not exist (no VFIO loaded), null when it could not be read. */
function vfioNodes(s: Snapshot): DevNode[] | null {
  if (s.devnodes.vfio !== null) return s.devnodes.vfio;
  const status = s.sources['dev/vfio']?.status;
  return status === 'absent' || status === undefined ? [] : null;
}

export const devNodes: ChangeClass = {
  meta: {
    id: 'dev-nodes',
    layer: 'hypervisor',
    causes: ['vfio-node-permissions'],
    title: '/dev/vfio and /dev/kvm',
    description: 'The VFIO container and group nodes, /dev/kvm, their owners and permission bits, and the number of VFIO device cdevs.',
    reports: ['dev-node-lost', 'dev-node-appeared', 'dev-node-permissions-changed', 'vfio-cdevs-changed'],
  },
  compare(ctx, out) {
    const da = ctx.a.snap.devnodes;
    const db = ctx.b.snap.devnodes;
    const va = vfioNodes(ctx.a.snap);
    const vb = vfioNodes(ctx.b.snap);
    if (va === null || vb === null) {
      out.note(`/dev not compared: /dev/vfio could not be read in the ${va === null ? 'earlier' : 'later'} snapshot`);
      return;
    }
    const pa = new Map(va.map((n) => [n.path, n]));
    const pb = new Map(vb.map((n) => [n.path, n]));
    // Without anything to pass through, VFIO not being loaded is no loss.
    compareNode(out, '/dev/vfio/vfio', pa.get('/dev/vfio/vfio'), pb.get('/dev/vfio/vfio'), ctx.anyTargets, 'the VFIO container');
    groupNodes(ctx, out, va, vb);
    if (da.vfioDevices !== null && db.vfioDevices !== null && da.vfioDevices.length !== db.vfioDevices.length) {
      out.add(
        change('vfio-cdevs-changed', 'hypervisor', 'neutral', `/dev/vfio/devices: ${da.vfioDevices.length} → ${db.vfioDevices.length} device nodes`, [
          { what: '/dev/vfio/devices', before: da.vfioDevices.map((n) => n.path).join(', ') || null, after: db.vfioDevices.map((n) => n.path).join(', ') || null, source: '/dev/vfio/devices' },
        ]),
      );
    }
    compareNode(out, '/dev/kvm', da.kvm ?? undefined, db.kvm ?? undefined, true, 'KVM');
  },
};
