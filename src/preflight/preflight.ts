// Predicts what the next boot into a newly installed kernel will do to passthrough, from that kernel's
// files alone, before anyone reboots into it.

import { buildContext } from '../analyze/context.js';
import type { Finding } from '../analyze/finding.js';
import { layerIndex, type Layer } from '../analyze/layers.js';
import { InputError } from '../cli/command.js';
import { requireKnownDevices } from '../cli/known-targets.js';
import { collectSnapshot } from '../collect/collect.js';
import { HostFs } from '../collect/host-fs.js';
import { collectInstalledKernels, compareKernelVersions } from '../collect/sources/host.js';
import type { InstalledKernel, Snapshot } from '../snapshot/types.js';
import { PREFLIGHT_CHECKS } from './checks/index.js';
import { moduleSignedAt } from './module-signature.js';
import { nextCmdline } from './next-cmdline.js';
import { modulesStopLimit, readNextInitramfs, startNextInitramfs } from './next-initramfs.js';
import type { PendingImage } from './image-reader.js';
import { modaliasVendors, readNextKernel } from './next-kernel.js';
import { imageModuleQuestions, predictTarget } from './race.js';
import type { PreflightCheck, PreflightInput, PreflightReport, TargetPrediction } from './types.js';
import { declaresId } from '../analyze/rule.js';
import { NO_PROGRESS, type Progress } from '../progress/reporter.js';

export interface PreflightOptions {
  root?: string;
  kernel?: string;
  initramfs?: string;
  devices?: string[];
  ids?: string[];
  /** Base for a relative --initramfs path. */
  cwd: string;
  timeoutMs?: number;
  /** Told the stage the work is in: reading the host, unpacking the next kernel's initramfs. */
  progress?: Progress;
}

export type PreflightResult = { kind: 'nothing-to-check'; running: string | null; message: string } | { kind: 'report'; report: PreflightReport };

/** The newest installed kernel that is not the running one: what a package update just put on disk. */
export function pickNextKernel(snap: Snapshot): string | null {
  return newestOther(snap.host.kernelRelease, snap.host.installedKernels);
}

function newestOther(running: string | null, installed: InstalledKernel[]): string | null {
  const candidates = installed.filter((k) => k.version !== running && k.modulesDir).map((k) => k.version);
  return candidates.sort(compareKernelVersions).pop() ?? null;
}

/**
 * The kernel the run will judge, as collection will find it (--kernel, or the newest other installed
 * one), from the few files that decide it: known this early, its image can be read from the start.
 */
function earlyKernel(hfs: HostFs, kernel: string | undefined): string | null {
  if (kernel !== undefined) return kernel;
  const release = hfs.readText('/proc/sys/kernel/osrelease');
  const running = (release.ok ? release.value.trim() : '') || null;
  return newestOther(running, collectInstalledKernels({ fs: hfs, live: false, sources: {}, commandTimeoutMs: 0 }));
}

/** A check reports only the ids and causes its meta declares, as analyze holds its rules to theirs. */
function declared(c: PreflightCheck, findings: Finding[]): Finding[] {
  for (const f of findings) {
    if (!declaresId(c.meta.reports ?? [], f.id) || !c.meta.causes.includes(f.cause)) throw new Error(`preflight check ${c.meta.id} reported ${f.id} / ${f.cause}, which its meta does not declare`);
  }
  return findings;
}

function markTrust(findings: Finding[]): Finding[] {
  const failing = findings.filter((f) => f.severity === 'fail').map((f) => layerIndex(f.layer));
  if (failing.length === 0) return findings;
  const first = Math.min(...failing);
  const firstLayer = findings.find((f) => f.severity === 'fail' && layerIndex(f.layer) === first)!.layer as Layer;
  return findings.map((f) => (layerIndex(f.layer) > first ? { ...f, trusted: false, untrustedUntil: firstLayer } : f));
}

function outcomeWithFindings(p: TargetPrediction, findings: Finding[]): TargetPrediction {
  const relevant = findings.filter((f) => f.subject === null || f.subject === p.address);
  if (relevant.some((f) => f.severity === 'fail')) return { ...p, outcome: 'fails' };
  if (p.outcome === 'works' && relevant.some((f) => f.severity === 'warn')) return { ...p, outcome: 'at-risk' };
  return p;
}

/** What every check reads: the running host, and the next kernel with its image and command line. */
export async function preflightInput(opts: PreflightOptions): Promise<PreflightInput | Extract<PreflightResult, { kind: 'nothing-to-check' }>> {
  const progress = opts.progress ?? NO_PROGRESS;
  const hfs = new HostFs(opts.root ?? '');
  const timeoutMs = opts.timeoutMs ?? 120_000;
  // The image is read on a worker thread from now on, while this thread reads the host and the kernel:
  // its decompression is most of a run's time (image-reader.ts).
  const early = earlyKernel(hfs, opts.kernel);
  const started = early === null ? null : startNextInitramfs(hfs, early, opts.initramfs, opts.cwd, timeoutMs);
  try {
    return await judgedInput(opts, hfs, progress, timeoutMs, started);
  } finally {
    // Not awaited: an error or a run with nothing to check ends now, and the worker goes with it.
    void started?.cancel();
  }
}

async function judgedInput(
  opts: PreflightOptions,
  hfs: HostFs,
  progress: Progress,
  timeoutMs: number,
  started: PendingImage | null,
): Promise<PreflightInput | Extract<PreflightResult, { kind: 'nothing-to-check' }>> {
  progress.phase(opts.root === undefined ? 'reading this host' : `reading the host under ${opts.root}`);
  // The running kernel's image is not what preflight judges: the new kernel's is read below.
  const snap = await collectSnapshot({ ...(opts.root === undefined ? {} : { root: opts.root }), readInitramfs: false });
  requireKnownDevices(snap, opts.devices ?? [], opts.root === undefined ? 'on this host' : `under ${opts.root}`);
  const running = snap.host.kernelRelease;
  let version = opts.kernel ?? null;
  if (version === null) {
    version = pickNextKernel(snap);
    if (version === null) {
      return { kind: 'nothing-to-check', running, message: `no kernel other than the running one (${running ?? 'unknown'}) is installed: nothing to check before a reboot` };
    }
  } else if (!['/lib/modules', '/usr/lib/modules'].some((d) => hfs.isDir(`${d}/${version}`)) && !hfs.exists(`/boot/vmlinuz-${version}`)) {
    throw new InputError(`--kernel ${version}: not installed (no /lib/modules/${version} and no /boot/vmlinuz-${version})`);
  }
  const ctx = buildContext(snap, { devices: opts.devices ?? [], ids: opts.ids ?? [] });
  progress.phase(`reading kernel ${version} and its initramfs`);
  // The new kernel's modules.alias is asked about the targets alone (race.ts).
  const kernel = readNextKernel(hfs, version, modaliasVendors(ctx.targets.map((t) => ctx.device(t.address)?.modalias)));
  // The image is asked only about vfio_pci and the targets' host drivers (besides its configuration files):
  // a sorted initramfs-tools image is read only until past their files.
  const modulesLimit = modulesStopLimit(kernel, imageModuleQuestions(ctx, kernel));
  const image = readNextInitramfs(hfs, version, opts.initramfs, opts.cwd, timeoutMs, modulesLimit, started);
  // Awaited below; the catch only keeps a failure from counting as unhandled while this thread goes on.
  image.catch(() => undefined);
  // What needs nothing from the image is read while the worker still walks it.
  const outOfTree = new Map<string, PreflightInput['outOfTree'] extends Map<string, infer V> ? V : never>();
  for (const m of kernel.onDisk.values()) {
    if (/\/(updates|extra)\//.test(m.path)) outOfTree.set(m.name, { ...m, signed: moduleSignedAt(hfs, m.path) });
  }
  const cmdline = nextCmdline(hfs, snap, version);
  return { ctx, running, kernel, initramfs: await image, cmdline, outOfTree };
}

/** Runs one check on the input, holding it to its meta. */
export function runCheck(c: PreflightCheck, input: PreflightInput): Finding[] {
  return declared(c, c.check(input));
}

export async function runPreflight(opts: PreflightOptions): Promise<PreflightResult> {
  const input = await preflightInput(opts);
  if ('kind' in input) return input;
  const { ctx, running } = input;
  const version = input.kernel.version;
  const findings = markTrust(PREFLIGHT_CHECKS.flatMap((c) => runCheck(c, input)));
  const targets = ctx.targets.map((t) => outcomeWithFindings(predictTarget(input, t).prediction, findings));
  const verdict = findings.some((f) => f.severity === 'fail') ? 'fail' : findings.some((f) => f.severity === 'warn') ? 'warn' : 'pass';
  return { kind: 'report', report: { running, kernel: version, initramfs: input.initramfs.image, cmdline: input.cmdline, targets, findings, verdict } };
}
