import crypto from 'node:crypto';
import type { Snapshot } from '../snapshot/types.js';
import type { Report } from '../analyze/analyze.js';
import type { Finding } from '../analyze/finding.js';
import { LAYERS, type Layer } from '../analyze/layers.js';
import { diffSnapshots } from '../diff/diff.js';
import { assess, bootRef, decisiveSummary } from './assess.js';
import { compareVersions } from './version-order.js';
import type { Assessment, BootRef, BootSummary, CanaryDecision, CanaryRun, FleetHost, FleetReport, Hardware, LayerState, Sku } from './types.js';

/** How one snapshot is judged: check's analysis, plus a written policy's findings when one is given. */
export interface Analysed {
  report: Report;
  policyFindings: Finding[];
  /** Names of the policy entries that apply; null without a policy. */
  policyEntries: string[] | null;
}

export interface FleetOptions {
  /** The kernel to decide on; default the newest release seen. */
  kernel?: string | null;
  load: (file: string) => Snapshot;
  analyse: (snap: Snapshot) => Analysed;
  policy?: string | null;
}

const STATUS_RANK = { healthy: 0, warning: 1, undetermined: 2, broken: 3 } as const;

function time(b: BootRef): number {
  const t = Date.parse(b.collectedAt);
  return Number.isNaN(t) ? 0 : t;
}

function bootSummary(b: BootRef): BootSummary {
  return { file: b.file, kernel: b.kernel, collectedAt: b.collectedAt, bootId: b.bootId };
}

/** Oldest first; a boot saved twice counts once, as its latest snapshot. */
function orderBoots(boots: BootRef[]): BootRef[] {
  const sorted = [...boots].sort((a, b) => time(a) - time(b) || (a.file < b.file ? -1 : 1));
  const lastOfBoot = new Map<string, BootRef>();
  for (const b of sorted) if (b.bootId) lastOfBoot.set(b.bootId, b);
  return sorted.filter((b) => !b.bootId || lastOfBoot.get(b.bootId) === b);
}

interface HostResult {
  host: FleetHost;
  hardware: Hardware;
  canary: CanaryRun | null;
  /** Has at least one boot on the kernel (a canary, compared or not). */
  onKernel: boolean;
}

/** One host: analyse its latest boot, and when it has booted the kernel, compare that boot with the kernel before. */
function judgeHost(boots: BootRef[], kernel: string | null, opts: FleetOptions): HostResult {
  const latest = boots.at(-1)!;
  const cache = new Map<BootRef, { snap: Snapshot; analysed: Analysed; assessment: Assessment }>();
  const judge = (b: BootRef) => {
    let j = cache.get(b);
    if (!j) {
      const snap = opts.load(b.file);
      const analysed = opts.analyse(snap);
      j = { snap, analysed, assessment: assess(snap, analysed.report) };
      cache.set(b, j);
    }
    return j;
  };
  const now = judge(latest);
  let canary: CanaryRun | null = null;
  const onIndex = kernel === null ? -1 : boots.findLastIndex((b) => b.kernel === kernel);
  if (onIndex >= 0) {
    const on = boots[onIndex]!;
    const prev = boots.slice(0, onIndex).findLast((b) => b.kernel !== kernel) ?? null;
    const after = judge(on);
    if (prev === null) {
      canary = { host: latest.host, on: bootSummary(on), previous: null, verdictOn: decisiveSummary(after.assessment), verdictBefore: null, outcome: 'no-baseline', regressions: [] };
    } else {
      const before = judge(prev);
      const diff = diffSnapshots(before.snap, after.snap, { beforeFile: prev.file, afterFile: on.file });
      const regressions = diff.changes.filter((c) => c.kind === 'regression').map((c) => ({ id: c.id, layer: c.layer, subject: c.subject, title: c.title }));
      const vOn = decisiveSummary(after.assessment);
      const vBefore = decisiveSummary(before.assessment);
      // The diff compares facts; a verdict that turned to broken is a regression too, even where no fact class names it.
      if (regressions.length === 0 && vOn.status === 'broken' && vBefore.status !== 'broken') {
        regressions.push({ id: `verdict:${vOn.findingId}`, layer: vOn.layer!, subject: after.assessment.decisive?.subject ?? null, title: `the verdict turned broken: ${vOn.title ?? vOn.cause}` });
      }
      canary = { host: latest.host, on: bootSummary(on), previous: bootSummary(prev), verdictOn: vOn, verdictBefore: vBefore, outcome: regressions.length > 0 ? 'regressed' : 'clean', regressions };
    }
  }
  // A target's binding can be what the new kernel broke: ids seen on any boot judged count, so a canary stays in its SKU.
  const targetIds = [...new Set([...cache.values()].flatMap((j) => j.assessment.targetIds))].sort();
  const host: FleetHost = {
    name: latest.host,
    boots: boots.length,
    latest: bootSummary(latest),
    biosVersion: latest.biosVersion,
    biosDate: latest.biosDate,
    verdict: decisiveSummary(now.assessment),
    layers: now.assessment.layers,
    targetIds,
    policyFindings: now.analysed.policyFindings,
    policyEntries: now.analysed.policyEntries,
  };
  return { host, hardware: latest.hardware, canary, onKernel: onIndex >= 0 };
}

function skuKey(h: Hardware, targetIds: string[]): string {
  return JSON.stringify([h.vendor, h.product, h.board, h.cpu, targetIds]);
}

function counted(values: (string | null)[], order: (a: string, b: string) => number): { value: string; hosts: number }[] {
  const m = new Map<string, number>();
  for (const v of values) m.set(v ?? 'unknown', (m.get(v ?? 'unknown') ?? 0) + 1);
  return [...m].map(([value, hosts]) => ({ value, hosts })).sort((a, b) => order(b.value, a.value));
}

function decide(kernel: string | null, members: HostResult[]): CanaryDecision {
  const canaries = members.flatMap((m) => (m.canary ? [m.canary] : []));
  if (kernel === null) return { kernel, decision: 'no-canary', canaries, suggestion: null, reason: 'no snapshot records a kernel release' };
  const regressed = canaries.filter((c) => c.outcome === 'regressed');
  if (regressed.length > 0) {
    const c = regressed[0]!;
    const r = c.regressions[0]!;
    const more = c.regressions.length > 1 ? ` (+${c.regressions.length - 1} more)` : '';
    const others = regressed.length > 1 ? `; ${regressed.length - 1} more canary host(s) regressed` : '';
    return { kernel, decision: 'hold', canaries, suggestion: null, reason: `canary ${c.host} regressed on ${kernel} against ${c.previous?.kernel ?? 'its previous kernel'} — ${r.layer}: ${r.title}${more}${others}` };
  }
  const clean = canaries.filter((c) => c.outcome === 'clean');
  if (clean.length > 0) {
    const c = clean[0]!;
    return { kernel, decision: 'go', canaries, suggestion: null, reason: `canary ${c.host} booted ${kernel} with no regression against ${c.previous!.kernel ?? 'its previous kernel'}${clean.length > 1 ? ` (${clean.length} canaries)` : ''}` };
  }
  // Best placed to be the canary: the healthiest host that has not booted the kernel, with the longest history.
  const candidates = members
    .filter((m) => !m.onKernel)
    .sort((a, b) => STATUS_RANK[a.host.verdict.status] - STATUS_RANK[b.host.verdict.status] || b.host.boots - a.host.boots || (a.host.name < b.host.name ? -1 : 1));
  const pick = candidates[0]?.host.name ?? null;
  const unbased = canaries.filter((c) => c.outcome === 'no-baseline').map((c) => c.host);
  const why = unbased.length > 0 ? `${unbased.join(', ')} run${unbased.length === 1 ? 's' : ''} ${kernel} with no earlier boot on another kernel to compare; ` : '';
  return {
    kernel,
    decision: 'no-canary',
    canaries,
    suggestion: pick,
    reason: pick !== null ? `${why}no host of this SKU has booted ${kernel} yet: reboot ${pick} into it first (snapshot before and after)` : `${why}every host of this SKU already runs it: keep a snapshot of the next boot before the next update`,
  };
}

/** The fleet view over snapshot files. Reads each file once to place it, then only the boots a decision needs. */
export function buildFleetReport(files: string[], opts: FleetOptions): FleetReport {
  const byHost = new Map<string, BootRef[]>();
  for (const file of files) {
    const ref = bootRef(opts.load(file), file);
    const list = byHost.get(ref.host);
    if (list) list.push(ref);
    else byHost.set(ref.host, [ref]);
  }
  const releases = [...new Set([...byHost.values()].flatMap((bs) => bs.flatMap((b) => (b.kernel ? [b.kernel] : []))))];
  const kernel = opts.kernel ?? (releases.length > 0 ? releases.reduce((a, b) => (compareVersions(a, b) >= 0 ? a : b)) : null);
  const notes: string[] = [];
  if (opts.kernel && !releases.includes(opts.kernel)) notes.push(`no snapshot shows kernel ${opts.kernel}: no host has booted it`);

  const skus = new Map<string, { hardware: Hardware; targetIds: string[]; members: HostResult[] }>();
  for (const name of [...byHost.keys()].sort()) {
    const r = judgeHost(orderBoots(byHost.get(name)!), kernel, opts);
    const key = skuKey(r.hardware, r.host.targetIds);
    const sku = skus.get(key);
    if (sku) sku.members.push(r);
    else skus.set(key, { hardware: r.hardware, targetIds: r.host.targetIds, members: [r] });
  }

  const out: Sku[] = [...skus].map(([key, s]) => {
    const layers = Object.fromEntries(LAYERS.map((l) => [l, { ok: 0, warn: 0, fail: 0, undetermined: 0 }])) as Record<Layer, Record<LayerState, number>>;
    for (const m of s.members) for (const l of LAYERS) layers[l][m.host.layers[l]]++;
    return {
      id: crypto.createHash('sha256').update(key).digest('hex').slice(0, 8),
      hardware: s.hardware,
      targetIds: s.targetIds,
      hosts: s.members.map((m) => m.host),
      kernels: counted(s.members.map((m) => m.host.latest.kernel), compareVersions).map((k) => ({ release: k.value, hosts: k.hosts })),
      biosVersions: counted(s.members.map((m) => m.host.biosVersion), compareVersions).map((b) => ({ version: b.value, hosts: b.hosts })),
      layers,
      canary: decide(kernel, s.members),
    };
  });
  // What stops a rollout first, then what still needs a canary.
  const first = { hold: 0, 'no-canary': 1, go: 2 } as const;
  out.sort((a, b) => first[a.canary.decision] - first[b.canary.decision] || skuTitle(a).localeCompare(skuTitle(b)) || a.id.localeCompare(b.id));
  return { kernel, kernelFrom: opts.kernel ? 'option' : 'newest', snapshots: files.length, hosts: byHost.size, skus: out, notes, policy: opts.policy ?? null };
}

export function skuTitle(s: Pick<Sku, 'hardware' | 'targetIds'>): string {
  const h = s.hardware;
  const machine = [h.vendor, h.product].filter(Boolean).join(' ') || 'unknown machine';
  return [machine, h.board ? `board ${h.board}` : null, h.cpu ?? 'unknown CPU', s.targetIds.length > 0 ? `targets ${s.targetIds.join(', ')}` : 'no targets'].filter(Boolean).join(' · ');
}

/** 1 when any SKU holds the kernel: a pipeline stops the rollout. */
export function fleetExitCode(r: FleetReport): number {
  return r.skus.some((s) => s.canary.decision === 'hold') ? 1 : 0;
}
