import type { AcsBits, PciDevice } from '../../snapshot/types.js';
import { judgeAcs } from '../../analyze/acs.js';
import { isBridge } from '../../analyze/pci-facts.js';
import type { DiffContext, Side } from '../context.js';
import type { ChangeKind, DiffEvidence } from '../types.js';
import { change, label, type ChangeClass, type ChangeSink } from './class.js';

// Group numbers are reassigned at every boot, so groups are compared by membership: a later group
// whose functions came from two or more earlier groups is a merge, an earlier group whose functions
// went to two or more later groups is a split. What matters for passthrough is endpoints ending up
// together (bridges in a group do not block assignment). The likely reason is then looked up on the
// upstream path: the bridges (and multifunction devices) whose ACS capability, control bits or the
// kernel's verdict on them (judgeAcs) differ between the two snapshots.

const ACS_NAMES: [keyof AcsBits, string][] = [
  ['sourceValidation', 'SV'],
  ['translationBlocking', 'TB'],
  ['requestRedirect', 'RR'],
  ['completionRedirect', 'CR'],
  ['upstreamForwarding', 'UF'],
  ['egressControl', 'EC'],
  ['directTranslated', 'DT'],
];

function flags(b: AcsBits): string {
  const on = ACS_NAMES.filter(([k]) => b[k]).map(([, n]) => n);
  return on.length ? on.join(' ') : 'none';
}

function acsState(d: PciDevice): string {
  const c = d.config;
  const registers = !c
    ? 'config space not read'
    : c.extendedCapabilities === null
      ? 'extended config space not readable'
      : c.acs
        ? `ACSCap ${flags(c.acs.cap)}, ACSCtl ${flags(c.acs.ctrl)}`
        : 'no ACS capability';
  const j = judgeAcs(d);
  const verdict = j.isolates === null ? 'isolation unknown' : j.isolates ? 'isolates' : 'does not isolate';
  return `${registers} — ${verdict} (${j.why})`;
}

/** Functions on the upstream path of a group's members (and multifunction members themselves), in path order. */
function pathCandidates(s: Side, members: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const push = (x: string) => {
    if (!seen.has(x)) {
      seen.add(x);
      out.push(x);
    }
  };
  for (const m of members) {
    const d = s.byAddress.get(m);
    if (!d) continue;
    for (const u of d.upstream) push(u);
  }
  for (const m of members) {
    const d = s.byAddress.get(m);
    if (d && (isBridge(d) || d.config?.multifunction)) push(m);
  }
  return out;
}

/** ACS differences on the path, as evidence, plus the functions whose verdict or registers changed. */
function acsChanges(ctx: DiffContext, bMembers: string[], aMembers: string[]): { evidence: DiffEvidence[]; changed: string[] } {
  const evidence: DiffEvidence[] = [];
  const changed: string[] = [];
  const seen = new Set<string>();
  const consider = (aAddr: string, bAddr: string) => {
    if (seen.has(bAddr)) return;
    seen.add(bAddr);
    const da = ctx.a.byAddress.get(aAddr);
    const db = ctx.b.byAddress.get(bAddr);
    if (!da || !db) return;
    const before = acsState(da);
    const after = acsState(db);
    if (before === after) return;
    changed.push(bAddr);
    evidence.push({ what: `ACS of ${label(db, bAddr)}`, before, after, source: `/sys/bus/pci/devices/${bAddr}/config` });
  };
  for (const y of pathCandidates(ctx.b, bMembers)) {
    const x = ctx.bToA.get(y);
    if (x !== undefined) consider(x, y);
  }
  for (const x of pathCandidates(ctx.a, aMembers)) {
    const y = ctx.aToB.get(x);
    if (y !== undefined) consider(x, y);
  }
  return { evidence, changed };
}

/** What the host itself needs a function for, if anything: passing it through takes the host down. */
function hostRole(s: Side, address: string): string {
  const c = s.snap.hostCritical;
  if (c.rootFilesystem?.devices.includes(address)) return ` (holds the root filesystem ${c.rootFilesystem.source})`;
  if (c.defaultRoute?.devices.includes(address)) return ` (carries the default route, ${c.defaultRoute.interface})`;
  return '';
}

function overrideNote(ctx: DiffContext): DiffEvidence[] {
  const was = ctx.a.snap.host.cmdline?.iommu.pcieAcsOverride ?? null;
  const now = ctx.b.snap.host.cmdline?.iommu.pcieAcsOverride ?? null;
  return was !== now ? [{ what: 'pcie_acs_override', before: was, after: now, source: '/proc/cmdline' }] : [];
}

function groupText(s: Side, id: number): string {
  return `group ${id}: ${(s.members.get(id) ?? []).slice().sort().join(', ')}`;
}

function endpoint(s: Side, address: string): boolean {
  const d = s.byAddress.get(address);
  return d !== undefined && !isBridge(d);
}

function judgeKind(ctx: DiffContext, endpointsMixed: boolean, hasTarget: boolean, bad: ChangeKind): ChangeKind {
  if (!endpointsMixed) return 'neutral';
  return hasTarget || !ctx.anyTargets ? bad : 'neutral';
}

/** Whether the functions all come from one group of the other side (or are all absent from it): no merge or split. */
function fromOneGroup(members: string[], map: Map<string, string>, groupOf: Map<string, number>): boolean {
  let first: number | undefined | null = null;
  for (const x of members) {
    const y = map.get(x);
    const g = y === undefined ? undefined : groupOf.get(y);
    if (first === null) first = g;
    else if (g !== first) return false;
  }
  return true;
}

function merges(ctx: DiffContext, out: ChangeSink): void {
  for (const [gB, bMembers] of ctx.b.members) {
    // Most groups are unchanged: tell them apart before building anything.
    if (fromOneGroup(bMembers, ctx.bToA, ctx.a.groupOf)) continue;
    // Where each member was: an earlier group, or "new" for a function the earlier snapshot did not have.
    const origin = new Map<string, string>();
    const sources = new Set<string>();
    const endpointSources = new Set<string>();
    let existing = 0;
    for (const y of bMembers) {
      const x = ctx.bToA.get(y);
      const gA = x === undefined ? undefined : ctx.a.groupOf.get(x);
      const src = gA === undefined ? 'new' : `g${gA}`;
      if (gA !== undefined) existing++;
      origin.set(y, src);
      sources.add(src);
      if (endpoint(ctx.b, y)) endpointSources.add(src);
    }
    if (sources.size < 2 || existing === 0) continue;
    const endpoints = bMembers.filter((y) => endpoint(ctx.b, y)).sort();
    const subject = endpoints.find((y) => ctx.isTargetB(y)) ?? endpoints[0] ?? bMembers.slice().sort()[0]!;
    const home = origin.get(subject);
    const joined = bMembers.filter((y) => origin.get(y) !== home).sort();
    const joinedEndpoints = joined.filter((y) => endpoint(ctx.b, y));
    const joinedBridges = joined.filter((y) => !endpoint(ctx.b, y));
    const hasTarget = bMembers.some((y) => ctx.isTargetB(y));
    // Functions that are all passed through together (a GPU and its audio) may share a group freely.
    const foreign = endpoints.some((y) => !ctx.isTargetB(y));
    const kind = judgeKind(ctx, endpointSources.size >= 2 && (foreign || !ctx.anyTargets), hasTarget, 'regression');
    const aMembers = bMembers.map((y) => ctx.bToA.get(y)).filter((x): x is string => x !== undefined);
    const acs = acsChanges(ctx, bMembers, aMembers);
    const subjectA = ctx.bToA.get(subject);
    const gA = subjectA === undefined ? undefined : ctx.a.groupOf.get(subjectA);
    const evidence: DiffEvidence[] = [
      {
        what: `IOMMU group of ${label(ctx.b.byAddress.get(subject), subject)}`,
        before: gA === undefined ? 'not present' : groupText(ctx.a, gA),
        after: groupText(ctx.b, gB),
        source: '/sys/kernel/iommu_groups',
      },
      ...joined.map((y) => {
        const x = ctx.bToA.get(y);
        const was = x === undefined ? undefined : ctx.a.groupOf.get(x);
        return { what: `now in its group: ${label(ctx.b.byAddress.get(y), y)}${hostRole(ctx.b, y)}`, before: was === undefined ? 'not present' : `separate (group ${was})`, after: `same group (${gB})` };
      }),
      ...acs.evidence,
      ...overrideNote(ctx),
    ];
    if (acs.changed.length === 0) {
      evidence.push({ what: 'ACS on the upstream path', before: 'same', after: 'same (the kernel now groups these functions differently: an ACS quirk or grouping rule changed with it)' });
    }
    const parts = [
      joinedEndpoints.length ? joinedEndpoints.map((y) => label(ctx.b.byAddress.get(y), y)).join(', ') : null,
      joinedBridges.length ? `bridge${joinedBridges.length > 1 ? 's' : ''} ${joinedBridges.join(', ')}` : null,
    ].filter(Boolean);
    const why = acs.changed.length ? `; ACS changed on ${acs.changed.join(', ')}` : '';
    out.add(
      change(
        'iommu-group-merged',
        'isolation',
        kind,
        `IOMMU group grew: ${label(ctx.b.byAddress.get(subject), subject)} now shares group ${gB} with ${parts.join(' and ')}${why}`,
        evidence,
        { subject, cause: kind === 'regression' ? 'group-shared' : null },
      ),
    );
  }
}

function splits(ctx: DiffContext, out: ChangeSink): void {
  for (const [gA, aMembers] of ctx.a.members) {
    if (fromOneGroup(aMembers, ctx.aToB, ctx.b.groupOf)) continue;
    const dest = new Map<string, number>();
    const groups = new Set<number>();
    const endpointGroups = new Set<number>();
    for (const x of aMembers) {
      const y = ctx.aToB.get(x);
      const gB = y === undefined ? undefined : ctx.b.groupOf.get(y);
      if (y === undefined || gB === undefined) continue;
      dest.set(x, gB);
      groups.add(gB);
      if (endpoint(ctx.a, x)) endpointGroups.add(gB);
    }
    if (groups.size < 2) continue;
    const endpoints = aMembers.filter((x) => endpoint(ctx.a, x) && dest.has(x)).sort();
    const subjectA = endpoints.find((x) => ctx.isTargetA(x)) ?? endpoints[0] ?? [...dest.keys()].sort()[0]!;
    const home = dest.get(subjectA);
    const left = [...dest.keys()].filter((x) => dest.get(x) !== home).sort();
    const hasTarget = aMembers.some((x) => ctx.isTargetA(x));
    const kind = judgeKind(ctx, endpointGroups.size >= 2, hasTarget, 'improvement');
    const bMembers = [...dest.keys()].map((x) => ctx.aToB.get(x)!);
    const acs = acsChanges(ctx, bMembers, aMembers);
    const subject = ctx.aToB.get(subjectA)!;
    const evidence: DiffEvidence[] = [
      { what: `IOMMU group of ${label(ctx.b.byAddress.get(subject), subject)}`, before: groupText(ctx.a, gA), after: groupText(ctx.b, home!), source: '/sys/kernel/iommu_groups' },
      ...left.map((x) => ({ what: `no longer in its group: ${label(ctx.a.byAddress.get(x), ctx.aToB.get(x)!)}`, before: `same group (${gA})`, after: `separate (group ${dest.get(x)})` })),
      ...acs.evidence,
      ...overrideNote(ctx),
    ];
    const why = acs.changed.length ? `; ACS changed on ${acs.changed.join(', ')}` : '';
    out.add(
      change(
        'iommu-group-split',
        'isolation',
        kind,
        `IOMMU group split: ${label(ctx.b.byAddress.get(subject), subject)} no longer shares a group with ${left.map((x) => ctx.aToB.get(x)!).join(', ')}${why}`,
        evidence,
        { subject },
      ),
    );
  }
}

export const iommuGroups: ChangeClass = {
  meta: {
    id: 'iommu-groups',
    layer: 'isolation',
    causes: ['group-shared'],
    title: 'IOMMU groups',
    description: 'Groups compared by their members, with the ACS bits and the kernel\'s isolation verdict on the upstream path of each merge.',
    reports: ['iommu-group-merged', 'iommu-group-split'],
  },
  compare(ctx, out) {
    // Group changes while the IOMMU is off on one side are the activation class's business.
    if (ctx.a.iommuActive !== true || ctx.b.iommuActive !== true) return;
    merges(ctx, out);
    splits(ctx, out);
  },
};
