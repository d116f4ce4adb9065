import type { Snapshot } from '../snapshot/types.js';
import { layerIndex } from '../analyze/layers.js';
import { declaresId } from '../analyze/rule.js';
import { buildDiffContext } from './context.js';
import type { Change, ChangeKind, DiffOptions, DiffReport, SideSummary } from './types.js';
import type { ChangeClass } from './classes/class.js';
import { kernelCmdline } from './classes/kernel-cmdline.js';
import { firmware } from './classes/firmware.js';
import { iommuActivation } from './classes/iommu-activation.js';
import { irqRemapping } from './classes/irq-remapping.js';
import { iommuGroups } from './classes/iommu-groups.js';
import { devices } from './classes/devices.js';
import { drivers } from './classes/drivers.js';
import { vfioIds } from './classes/vfio-ids.js';
import { vfioModules } from './classes/vfio-modules.js';
import { earlyBoot } from './classes/early-boot.js';
import { kernelLog } from './classes/kernel-log.js';
import { resetMethods } from './classes/reset-methods.js';
import { devNodes } from './classes/dev-nodes.js';

export const CHANGE_CLASSES: readonly ChangeClass[] = [
  firmware,
  kernelCmdline,
  iommuActivation,
  irqRemapping,
  vfioModules,
  earlyBoot,
  vfioIds,
  drivers,
  iommuGroups,
  devices,
  resetMethods,
  kernelLog,
  devNodes,
];

const KIND_ORDER: Record<ChangeKind, number> = { regression: 0, improvement: 1, neutral: 2 };

/**
 * declaresId(listed, id), remembered per meta list and id: it compiles a regular expression for each
 * "<x>" pattern, and a comparison checks every change it reports (dozens, with a handful of distinct ids).
 */
const declared = new WeakMap<readonly string[], Map<string, boolean>>();

export function declaresIdOnce(listed: readonly string[], id: string): boolean {
  let known = declared.get(listed);
  if (known === undefined) {
    known = new Map();
    declared.set(listed, known);
  }
  let yes = known.get(id);
  if (yes === undefined) {
    yes = declaresId(listed, id);
    known.set(id, yes);
  }
  return yes;
}

const NO_IDS: readonly string[] = [];

function summary(s: Snapshot, file: string | null): SideSummary {
  const label = s.label;
  return {
    file,
    label: typeof label === 'string' ? label : null,
    collectedAt: s.collectedAt,
    hostname: s.host.hostname,
    kernelRelease: s.host.kernelRelease,
    bootId: s.host.bootId,
  };
}

function sameHostNote(a: Snapshot, b: Snapshot): string | null {
  const board = (s: Snapshot) => [s.host.dmi?.boardVendor, s.host.dmi?.boardName, s.host.dmi?.productName].filter(Boolean).join(' ');
  if (a.host.hostname && b.host.hostname && a.host.hostname !== b.host.hostname) return `the snapshots come from different hosts (${a.host.hostname}, ${b.host.hostname}): differences may be the hardware, not an update`;
  if (board(a) && board(b) && board(a) !== board(b)) return `the snapshots come from different boards (${board(a)}, ${board(b)})`;
  return null;
}

/** Compares an earlier snapshot with a later one. Pure: no I/O, nothing read but the two snapshots. */
export function diffSnapshots(before: Snapshot, after: Snapshot, opts: DiffOptions = {}): DiffReport {
  const ctx = buildDiffContext(before, after, { devices: opts.devices ?? [], ids: opts.ids ?? [] });
  const changes: Change[] = [];
  const notes: string[] = [];
  const host = sameHostNote(before, after);
  if (host) notes.push(host);
  if (before.privileged === false || after.privileged === false) {
    notes.push(`the ${before.privileged === false ? 'earlier' : 'later'} snapshot was taken without root: config space (ACS, FLR) and parts of the log may be missing from it`);
  }
  for (const cls of CHANGE_CLASSES) {
    cls.compare(ctx, {
      add: (c: Change) => {
        // A class reports only what its meta declares, so that docs/findings.md lists every change id.
        if (!declaresIdOnce(cls.meta.reports ?? NO_IDS, c.id) || (c.cause !== null && !cls.meta.causes.includes(c.cause))) {
          throw new Error(`diff class ${cls.meta.id} reported ${c.id} / ${c.cause}, which its meta does not declare`);
        }
        changes.push(c);
      },
      note: (t: string) => void notes.push(t),
    });
  }
  changes.sort((x, y) => layerIndex(x.layer) - layerIndex(y.layer) || KIND_ORDER[x.kind] - KIND_ORDER[y.kind] || (x.subject ?? '').localeCompare(y.subject ?? ''));
  const counts: Record<ChangeKind, number> = { regression: 0, improvement: 0, neutral: 0 };
  for (const c of changes) counts[c.kind]++;
  const first = changes.find((c) => c.kind === 'regression');
  // As in check: a later layer's change may follow from the first regression, so it waits for that fix.
  if (first) for (const c of changes) if (layerIndex(c.layer) > layerIndex(first.layer)) Object.assign(c, { trusted: false, untrustedUntil: first.layer });
  return {
    before: summary(before, opts.beforeFile ?? null),
    after: summary(after, opts.afterFile ?? null),
    changes,
    counts,
    firstRegressionLayer: first ? first.layer : null,
    notes,
  };
}
