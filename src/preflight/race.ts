// Who owns a target after the reboot. Two races decide it: inside the initramfs (a host driver packed
// into the image binds during early boot unless vfio-pci is there and ordered first), then in the real
// root, where udev loads whatever modules.alias of the new kernel names for the device.

import type { Evidence } from '../analyze/finding.js';
import type { Target } from '../analyze/targets.js';
import { describeDevice, idSpecMatches } from '../analyze/pci-facts.js';
import { modulesForModalias } from '../modules/alias-match.js';
import { parseCmdline } from '../parse/cmdline.js';
import { parseModuleOptions, parseSoftdep } from '../parse/modprobe-conf.js';
import { moduleKey } from '../parse/proc-modules.js';
import type { ModprobeEntry, PciDevice } from '../snapshot/types.js';
import { moduleAvailable } from './next-kernel.js';
import type { PreflightInput, TargetPrediction } from './types.js';

export type RaceProblem = 'initramfs-missing-vfio' | 'initramfs-not-ordered' | 'no-ids' | 'builtin-ids-ignored' | 'unordered';

export interface RaceResult {
  prediction: TargetPrediction;
  problem: RaceProblem | null;
  /** The competing host drivers the problem is about. */
  competitors: string[];
  evidence: Evidence[];
}

const NOT_COMPETING = new Set(['vfio_pci', 'pci_stub']);

function idsFrom(entries: ModprobeEntry[]): { ids: string[]; evidence: Evidence }[] {
  return entries
    .filter((e) => e.kind === 'options' && moduleKey(e.module) === 'vfio_pci')
    .map((e) => ({ ids: (parseModuleOptions(e.value)['ids'] ?? '').split(',').filter(Boolean), evidence: { source: e.file, line: e.line, text: `options ${e.module} ${e.value}` } }))
    .filter((x) => x.ids.length > 0);
}

function softdepPutsVfioFirst(entries: ModprobeEntry[], driver: string): ModprobeEntry | undefined {
  return entries.find((e) => e.kind === 'softdep' && moduleKey(e.module) === driver && parseSoftdep(e.value).pre.some((m) => moduleKey(m) === 'vfio_pci'));
}

function blacklisted(entries: ModprobeEntry[], cmdlineBlacklist: string[], driver: string): boolean {
  return cmdlineBlacklist.some((m) => moduleKey(m) === driver) || entries.some((e) => e.kind === 'blacklist' && moduleKey(e.module) === driver);
}

/** Host drivers of the next kernel whose modules.alias entries match the device, vfio-pci and pci-stub left out. */
function hostDriversOf(kernel: PreflightInput['kernel'], d: PciDevice): string[] {
  return kernel.aliases && d.modalias ? modulesForModalias(kernel.aliases, d.modalias).map(moduleKey).filter((m) => !NOT_COMPETING.has(m)) : [];
}

/** Every module predictTarget may ask the image about for these targets: vfio_pci and their host drivers. */
export function imageModuleQuestions(ctx: PreflightInput['ctx'], kernel: PreflightInput['kernel']): string[] {
  const names = new Set(['vfio_pci']);
  for (const t of ctx.targets) {
    const d = ctx.device(t.address);
    if (d) for (const m of hostDriversOf(kernel, d)) names.add(m);
  }
  return [...names];
}

export function predictTarget(input: PreflightInput, target: Target): RaceResult {
  const { ctx, kernel, initramfs, cmdline } = input;
  const d: PciDevice | undefined = ctx.device(target.address);
  const base = { address: target.address, role: target.role, description: d ? describeDevice(d).slice(d.address.length + 1) : 'not present on this host' };
  if (!d) return { prediction: { ...base, hostDrivers: [], driver: null, why: 'the device is not on this host', outcome: 'at-risk' }, problem: null, competitors: [], evidence: [] };

  const hostDrivers = hostDriversOf(kernel, d);
  const cmd = parseCmdline(cmdline.raw).iommu;
  const image = initramfs.info;
  const imageModules = new Set(image.modules.map(moduleKey));
  const vfio = moduleAvailable(kernel, 'vfio_pci');
  const vfioInImage = vfio === 'builtin' || imageModules.has('vfio_pci');
  const cmdlineIds = (cmd.vfioPciIds ?? []).some((s) => idSpecMatches(s, d));
  const imageIds = idsFrom(image.modprobe).find((x) => x.ids.some((s) => idSpecMatches(s, d)));
  const hostIds = idsFrom(ctx.snap.modules.modprobe).find((x) => x.ids.some((s) => idSpecMatches(s, d)));
  const cmdEvidence: Evidence = { source: cmdline.source, text: cmdline.raw || '(empty)' };
  const predict = (driver: string | null, why: string, outcome: TargetPrediction['outcome']): TargetPrediction => ({ ...base, hostDrivers, driver, why, outcome });

  // Early boot: only drivers packed into the image compete.
  const earlyBlacklist = [...cmd.modprobeBlacklist, ...cmd.rdDriverBlacklist];
  const inImage = hostDrivers.filter((m) => imageModules.has(m) && !blacklisted(image.modprobe, earlyBlacklist, m));
  if (inImage.length > 0) {
    const evidence: Evidence[] = inImage.map((m) => ({ source: initramfs.image, text: `contains ${m} (modules.alias of ${kernel.version} matches ${d.modalias})` }));
    if (!vfioInImage) {
      evidence.push({ source: initramfs.image, text: vfio === null ? `no vfio_pci module in the image, and ${kernel.version} has none` : 'no vfio_pci module in the image' });
      return { prediction: predict(inImage[0]!, `${inImage[0]} is in the initramfs and vfio-pci is not`, 'fails'), problem: 'initramfs-missing-vfio', competitors: inImage, evidence };
    }
    const idsKnown = (vfio === 'builtin' ? cmdlineIds : cmdlineIds || imageIds !== undefined);
    const softdep = inImage.map((m) => softdepPutsVfioFirst(image.modprobe, m)).find((e) => e !== undefined);
    const listed = image.loadAtBoot.find((e) => moduleKey(e.module) === 'vfio_pci');
    const rdPre = cmd.rdDriverPre.some((m) => moduleKey(m) === 'vfio_pci');
    const ordered = vfio === 'builtin' || softdep !== undefined || listed !== undefined || rdPre;
    if (idsKnown && ordered) {
      const how = vfio === 'builtin' ? 'vfio-pci is built in and vfio-pci.ids is on the command line' : softdep ? `softdep ${softdep.module} pre: vfio-pci inside the image` : listed ? `vfio_pci is loaded early from ${listed.file} inside the image` : 'rd.driver.pre=vfio-pci on the command line';
      return { prediction: predict('vfio-pci', how, 'works'), problem: null, competitors: [], evidence: [] };
    }
    if (!idsKnown) evidence.push(imageIds === undefined && vfio !== 'builtin' ? { source: initramfs.image, text: 'no "options vfio-pci ids=" inside the image covers this device' } : cmdEvidence);
    if (!ordered) evidence.push({ source: initramfs.image, text: 'no softdep, rd.driver.pre or early module list puts vfio-pci ahead of the host driver' });
    return { prediction: predict(inImage[0]!, `${inImage[0]} is in the initramfs and nothing makes vfio-pci claim the device first`, 'fails'), problem: 'initramfs-not-ordered', competitors: inImage, evidence };
  }

  // Real root: udev loads every module modules.alias names; vfio-pci must claim the device by id first.
  const rootBlacklist = [...cmd.modprobeBlacklist];
  const competing = hostDrivers.filter((m) => !blacklisted(ctx.snap.modules.modprobe, rootBlacklist, m));
  const override = target.reasons.some((r) => r.startsWith('driver_override'));
  if (vfio === 'builtin') {
    if (cmdlineIds) return { prediction: predict('vfio-pci', 'vfio-pci is built in and vfio-pci.ids is on the command line', 'works'), problem: null, competitors: [], evidence: [] };
    if (competing.length === 0) return { prediction: predict(override ? 'vfio-pci' : null, override ? 'driver_override is re-applied at boot' : 'no host driver matches the device', 'works'), problem: null, competitors: [], evidence: [] };
    if (hostIds) return { prediction: predict(competing[0]!, 'vfio-pci is built in, so the ids in modprobe.d never apply', 'fails'), problem: 'builtin-ids-ignored', competitors: competing, evidence: [hostIds.evidence, cmdEvidence] };
  }
  if (competing.length === 0) {
    const driver = cmdlineIds || hostIds || imageIds || override ? 'vfio-pci' : null;
    return { prediction: predict(driver, driver ? 'no host driver competes for it' : 'no driver of the new kernel matches it; the VM manager binds it', 'works'), problem: null, competitors: [], evidence: [] };
  }
  if (vfio === null) return { prediction: predict(competing[0]!, `the new kernel has no vfio-pci, so ${competing[0]} takes it`, 'fails'), problem: null, competitors: competing, evidence: [] };
  if (!cmdlineIds && !hostIds && !imageIds) {
    if (override) return { prediction: predict('vfio-pci', 'driver_override is re-applied at boot (driverctl)', 'works'), problem: null, competitors: [], evidence: [] };
    return { prediction: predict(competing[0]!, 'no vfio-pci ids cover it', 'fails'), problem: 'no-ids', competitors: competing, evidence: [cmdEvidence] };
  }
  const softdep = competing.map((m) => softdepPutsVfioFirst(ctx.snap.modules.modprobe, m)).find((e) => e !== undefined);
  const early = [...ctx.snap.modules.loadAtBoot, ...image.loadAtBoot].find((e) => moduleKey(e.module) === 'vfio_pci');
  if (softdep || early || imageModules.has('vfio_pci')) {
    const how = softdep ? `softdep ${softdep.module} pre: vfio-pci (${softdep.file})` : early ? `vfio_pci is loaded early from ${early.file}` : 'vfio_pci is loaded from the initramfs';
    return { prediction: predict('vfio-pci', how, 'works'), problem: null, competitors: [], evidence: [] };
  }
  return { prediction: predict('vfio-pci', `vfio-pci has the ids but nothing orders it before ${competing.join(', ')}`, 'at-risk'), problem: 'unordered', competitors: competing, evidence: [cmdEvidence] };
}
