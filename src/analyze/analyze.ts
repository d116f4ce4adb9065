import type { Snapshot } from '../snapshot/types.js';
import type { Finding, Unchecked } from './finding.js';
import type { Rule } from './rule.js';
import { buildContext, type AnalysisOptions } from './context.js';
import { RULES } from './rules/index.js';
import { decideVerdict, sortFindings, type Verdict } from './verdict.js';
import type { Target } from './targets.js';
import { groupTable, type GroupRow } from './group-table.js';
import { isKnownCause } from './causes.js';
import { dropJudgedElsewhere } from './rules/messages/catalogue-messages.js';
import { settledLayers, type SettledLayer } from './settled.js';
import { targetsTheImageJudges } from './rules/modules/initramfs-vfio.js';
import { assignedFunctions, hypervisorInfo, vmTargets } from '../hypervisor/vms.js';
import { layersWithEvidence } from './layer-evidence.js';
import type { Layer } from './layers.js';
import { isDisplay } from './pci-facts.js';

export interface Report {
  verdict: Verdict;
  findings: Finding[];
  unchecked: Unchecked[];
  targets: Target[];
  /** Per IOMMU group: could it be passed through. Filled always; shown when there are no targets. */
  groups: GroupRow[];
  /** Layers a later-stage line proves working (a VM that opened its group), with that line. */
  settled: SettledLayer[];
  /** Layers something in the snapshot speaks about; the others have no evidence (not "ok"). */
  evidenced: Layer[];
  /** Devices the user or the evidence named: a check missing about one points an undetermined verdict at its layer. */
  named: string[];
}

/** Pure: snapshot in, report out. The same on a live host, a --root tree, a sosreport or pasted text. */
export function analyze(snap: Snapshot, opts: AnalysisOptions = {}, rules: Rule[] = RULES): Report {
  const ctx = buildContext(snap, opts);
  const findings: Finding[] = [];
  const unchecked: Unchecked[] = [];
  for (const rule of rules) {
    const { id, layer } = rule.meta;
    rule.check(ctx, {
      report: (d) => {
        if (!rule.meta.causes.includes(d.cause) || !isKnownCause(d.cause)) {
          throw new Error(`rule ${id} reported cause "${d.cause}" it does not declare`);
        }
        findings.push({ ...d, id, layer, subject: d.subject ?? null, commands: d.commands ?? [], trusted: true, untrustedUntil: null });
      },
      cannotCheck: (subject, reason, settle) => unchecked.push({ id, layer, subject, reason, settle: settle ?? null, couldFail: rule.meta.warnOnly !== true }),
    });
  }
  const sorted = sortFindings(dropJudgedElsewhere(findings));
  const settled = settledLayers(snap);
  const named = opts.named ?? ctx.targets.filter((t) => t.reasons.some((r) => r === '--device' || r.startsWith('--ids '))).map((t) => t.address);
  const pointed = [...new Set([...named, ...vmTargets(snap).targets.map((t) => t.address)])];
  const verdict = decideVerdict(sorted, unchecked, settled.map((x) => x.layer), pointed);
  return { verdict, findings: sorted, unchecked, targets: ctx.targets, groups: groupTable(ctx), settled, named: pointed, evidenced: layersWithEvidence(snap, sorted, settled.map((x) => x.layer)) };
}

/**
 * Whether the running kernel's initramfs can change this analysis: only when a target's host driver
 * could race vfio-pci inside it. Collection asks this of everything else it read before decompressing
 * the image, the slowest read of a check.
 */
export function imageCanMatter(snap: Snapshot, opts: AnalysisOptions = {}): boolean {
  return targetsTheImageJudges(buildContext(snap, opts)).length > 0;
}

/**
 * The PCI functions this analysis reads more of than ids, class, config space, driver, driver_override,
 * IOMMU group and physfn (what a light collection keeps of every function): the targets and their
 * companions (reset_method, power_state and modalias in the reset, D3, binding and initramfs rules) and
 * the displays whose boot_vga is read. Target inference itself reads only what a light collection
 * keeps, so the targets found on it are the ones a full one gives.
 */
export function devicesNeedingDetail(snap: Snapshot, opts: AnalysisOptions = {}): string[] {
  return [...buildContext(snap, opts).targets.map((t) => t.address), ...displaysJudgedByBootVga(snap)];
}

/**
 * The displays whose boot_vga the analysis reads: the host's only display (critical-devices: single-GPU
 * passthrough gives the console away) and any display a VM is given (vm-primary-gpu). A server with
 * hundreds of GPUs and no VM definitions reads none of them.
 */
function displaysJudgedByBootVga(snap: Snapshot): string[] {
  const displays = snap.pci.filter(isDisplay);
  if (displays.length <= 1) return displays.map((d) => d.address);
  const info = hypervisorInfo(snap);
  if (!info || info.vms.length === 0) return [];
  const assigned = new Set(info.vms.flatMap((vm) => assignedFunctions(snap, info, vm).map((f) => f.address)));
  return displays.filter((d) => assigned.has(d.address)).map((d) => d.address);
}
