import type { PciDevice, Snapshot } from '../snapshot/types.js';
import type { Report } from '../analyze/analyze.js';
import type { Evidence, Finding, Severity } from '../analyze/finding.js';
import type { Layer } from '../analyze/layers.js';
import { decideVerdict, sortFindings } from '../analyze/verdict.js';
import { describeDevice, idPair, isBridge, vfioDriver } from '../analyze/pci-facts.js';
import { kernelArgCommands } from '../analyze/fixes/kernel-args.js';
import { unsafeInterruptsAllowed } from '../analyze/rules/kernel/irq-remapping.js';
import { compareVersions } from '../fleet/version-order.js';
import type { Match, Policy, PolicyEntry, TargetRule } from './types.js';

// A host held to its written policy: every deviation is a finding in the layer it belongs to, with the
// policy line that demands it as evidence. The ACS override is judged even when no entry speaks of it,
// because an override nobody allowed in writing is exactly the decision the policy is there to stop.

export interface PolicyResult {
  /** The entries whose match selects this host, in file order. */
  entries: PolicyEntry[];
  findings: Finding[];
}

function glob(pattern: string, value: string | null | undefined): boolean {
  if (value === null || value === undefined) return false;
  const re = new RegExp(`^${pattern.split(/([*?])/).map((p) => (p === '*' ? '.*' : p === '?' ? '.' : p.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 'i');
  return re.test(value.trim());
}

export function entryMatches(m: Match, snap: Snapshot): boolean {
  const dmi = snap.host.dmi;
  const checks: [string | null, string | null | undefined][] = [
    [m.host, snap.host.hostname],
    [m.vendor, dmi?.sysVendor],
    [m.product, dmi?.productName],
    [m.board, dmi?.boardName],
    [m.cpu, snap.host.cpu?.modelName],
  ];
  return checks.every(([p, v]) => p === null || glob(p, v));
}

/** A kernel release is allowed by an exact release, a series ("6.8" allows 6.8.12-4-pve) or a glob. */
export function kernelAllowed(release: string, allowed: string[]): boolean {
  return allowed.some((p) => (/[*?]/.test(p) ? glob(p, release) : release === p || release.startsWith(`${p}.`) || release.startsWith(`${p}-`)));
}

interface Sink {
  add(entry: PolicyEntry | null, line: number | null, rule: string, f: { layer: Layer; cause: string; severity: Severity; subject?: string | null; title: string; evidence?: Evidence[]; decision: string; commands?: string[] }): void;
}

function refMatches(ref: string, d: PciDevice): boolean {
  return ref === d.address || ref === idPair(d);
}

function checkTarget(snap: Snapshot, entry: PolicyEntry, t: TargetRule, byAddress: Map<string, PciDevice>, out: Sink): void {
  const ref = t.address ?? t.id!;
  const devices = t.address ? [byAddress.get(t.address)].filter((d): d is PciDevice => d !== undefined) : snap.pci.filter((d) => idPair(d) === t.id);
  if (devices.length === 0) {
    out.add(entry, t.line, 'target', {
      layer: 'binding',
      cause: 'policy-target-missing',
      severity: 'fail',
      title: `The policy's target ${ref} is not on this host`,
      decision: `Entry "${entry.name}" expects ${ref} on vfio-pci, and no PCI function ${t.address ? 'has that address' : 'has that id'}. Check that the card is seated and seen (lspci -nn); if the hardware changed, change the policy.`,
    });
    return;
  }
  for (const d of devices) {
    if (!vfioDriver(d.driver)) {
      out.add(entry, t.line, 'target', {
        layer: 'binding',
        cause: 'host-driver-bound',
        severity: 'fail',
        subject: d.address,
        title: `${d.address} (${describeDevice(d)}) is ${d.driver ? `owned by ${d.driver}` : 'bound to no driver'}; the policy expects vfio-pci`,
        evidence: [{ source: `/sys/bus/pci/devices/${d.address}/driver`, text: d.driver ?? 'no driver' }],
        decision: 'Bind it to vfio-pci before the host driver can claim it (vfio-pci ids in modprobe.d and the initramfs); "vfio-doctor check" gives the exact commands for this host.',
      });
    }
    if (t.isolation) {
      const group = d.iommuGroup === null ? undefined : snap.iommu.groups?.find((g) => g.id === d.iommuGroup);
      if (!group) {
        out.add(entry, t.isolation.line, 'isolation', {
          layer: 'isolation',
          cause: 'group-shared',
          severity: 'warn',
          subject: d.address,
          title: `The IOMMU group of ${d.address} is not known, so the policy's isolation cannot be confirmed`,
          decision: 'Capture the snapshot with the IOMMU active and /sys/kernel/iommu_groups readable.',
        });
      } else {
        const mates = group.devices.filter((a) => a !== d.address).map((a) => byAddress.get(a)).filter((m): m is PciDevice => m !== undefined && !isBridge(m));
        const iso = t.isolation;
        const extra = iso.alone ? mates : mates.filter((m) => !iso.with.some((ref) => refMatches(ref, m)));
        if (extra.length > 0) {
          out.add(entry, iso.line, 'isolation', {
            layer: 'isolation',
            cause: 'group-shared',
            severity: 'fail',
            subject: d.address,
            title: `IOMMU group ${group.id} of ${d.address} holds ${extra.map((m) => `${m.address} [${idPair(m)}]`).join(', ')}, which the policy does not allow beside it`,
            evidence: [{ source: `/sys/kernel/iommu_groups/${group.id}/devices`, text: group.devices.join(' ') }],
            decision: iso.alone
              ? 'The policy wants this target alone in its group. Move the card to a slot whose root port isolates (ACS), or check whether a kernel or BIOS update merged the group (vfio-doctor diff against the last good snapshot).'
              : `The policy allows only ${iso.with.join(', ')} beside it. Move the card to a slot whose root port isolates, or check whether a kernel or BIOS update merged the group (vfio-doctor diff against the last good snapshot).`,
          });
        }
      }
    }
    if (t.reset) {
      const method = t.reset.method;
      if (d.resetMethods === null) {
        out.add(entry, t.reset.line, 'reset', {
          layer: 'device',
          cause: 'reset-unsupported',
          severity: 'warn',
          subject: d.address,
          title: `reset_method of ${d.address} is not readable, so the policy's reset "${method}" cannot be confirmed`,
          decision: 'reset_method exists from kernel 5.15 on and needs the device directory in sysfs; capture the snapshot on the live host as root.',
        });
      } else if (!d.resetMethods.includes(method)) {
        out.add(entry, t.reset.line, 'reset', {
          layer: 'device',
          cause: 'reset-unsupported',
          severity: 'fail',
          subject: d.address,
          title: `${d.address} does not offer the "${method}" reset the policy requires (it offers ${d.resetMethods.join(', ') || 'none'})`,
          evidence: [{ source: `/sys/bus/pci/devices/${d.address}/reset_method`, text: d.resetMethods.join(' ') }],
          decision: 'A device that cannot reset the way the policy relies on keeps state between VMs or hangs on restart. Check the firmware (FLR can be a BIOS option), the card revision and the kernel (quirks), or change the policy after testing VM restarts.',
        });
      }
    }
  }
}

function unsafeInterruptsConfigured(snap: Snapshot): Evidence[] {
  const ev: Evidence[] = [];
  const loaded = snap.modules.parameters['vfio_iommu_type1']?.['allow_unsafe_interrupts'];
  if (loaded !== undefined && /^(1|y)$/i.test(loaded)) ev.push({ source: '/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts', text: loaded });
  const arg = snap.host.cmdline?.iommu.allowUnsafeInterrupts;
  if (arg && /^(1|y)$/i.test(arg)) ev.push({ source: '/proc/cmdline', text: `vfio_iommu_type1.allow_unsafe_interrupts=${arg}` });
  for (const m of snap.modules.modprobe) {
    if (m.kind === 'options' && m.module.replace(/-/g, '_') === 'vfio_iommu_type1' && /allow_unsafe_interrupts=(1|y)\b/i.test(m.value)) {
      ev.push({ source: m.file, line: m.line, text: `options ${m.module} ${m.value}` });
    }
  }
  if (ev.length === 0 && unsafeInterruptsAllowed(snap)) ev.push({ source: '/proc/cmdline', text: 'vfio_iommu_type1.allow_unsafe_interrupts' });
  return ev;
}

const ACS_THREAT =
  'pcie_acs_override tells the kernel to treat devices as isolated where the hardware gives no such guarantee: peer-to-peer DMA between functions behind the same bridge or switch is not forced through the IOMMU. A guest given one of them can read or overwrite the memory traffic of its former group mates — another VM\'s device, or a device the host itself uses (disk, network) — and the IOMMU will not see it.';

/** Judges the host against every entry that matches it. */
export function evaluatePolicy(policy: Policy, snap: Snapshot, report: Report): PolicyResult {
  const entries = policy.entries.filter((e) => entryMatches(e.match, snap));
  const findings: Finding[] = [];
  const out: Sink = {
    add(entry, line, rule, f) {
      const cite: Evidence[] = entry && line !== null ? [{ source: policy.file, line, text: `entry "${entry.name}" (${rule})` }] : [];
      findings.push({
        id: `policy-${rule}`,
        layer: f.layer,
        cause: f.cause,
        severity: f.severity,
        subject: f.subject ?? null,
        title: f.title,
        evidence: [...(f.evidence ?? []), ...cite],
        decision: f.decision,
        commands: f.commands ?? [],
        trusted: true,
        untrustedUntil: null,
      });
    },
  };
  const byAddress = new Map(snap.pci.map((d) => [d.address, d]));
  for (const e of entries) {
    for (const t of e.targets) checkTarget(snap, e, t, byAddress, out);

    if (e.interruptRemapping?.required) {
      const missing = report.findings.find((f) => f.cause === 'irq-remap-missing');
      const unknown = report.unchecked.find((u) => u.id === 'irq-remapping');
      if (missing) {
        out.add(e, e.interruptRemapping.line, 'interrupt-remapping', { layer: 'kernel', cause: 'irq-remap-missing', severity: 'fail', title: 'Interrupt remapping is off; the policy requires it', evidence: missing.evidence, decision: missing.decision, commands: missing.commands });
      } else if (unknown) {
        out.add(e, e.interruptRemapping.line, 'interrupt-remapping', { layer: 'kernel', cause: 'irq-remap-missing', severity: 'warn', title: 'Whether interrupt remapping is on could not be read; the policy requires it', decision: `${unknown.reason}${unknown.settle ? `; run: ${unknown.settle}` : ''}` });
      }
    }

    if (e.allowUnsafeInterrupts && !e.allowUnsafeInterrupts.allowed) {
      const ev = unsafeInterruptsConfigured(snap);
      if (ev.length > 0) {
        out.add(e, e.allowUnsafeInterrupts.line, 'unsafe-interrupts', {
          layer: 'kernel',
          cause: 'unsafe-interrupts-allowed',
          severity: 'fail',
          title: 'vfio_iommu_type1.allow_unsafe_interrupts is on; the policy forbids it',
          evidence: ev,
          decision: 'Without interrupt remapping a guest can send forged MSIs that the host takes as its own interrupts. Remove the option (kernel command line and modprobe.d), and give the host firmware and hardware with interrupt remapping.',
          commands: snap.host.cmdline?.iommu.allowUnsafeInterrupts ? kernelArgCommands(snap, { remove: ['vfio_iommu_type1.allow_unsafe_interrupts'] }) : [],
        });
      }
    }

    if (e.kernels) {
      const release = snap.host.kernelRelease;
      if (release === null) {
        out.add(e, e.kernels.line, 'kernel', { layer: 'kernel', cause: 'kernel-not-allowed', severity: 'warn', title: 'The running kernel release is not known, so the policy\'s kernel list cannot be checked', decision: 'Capture the snapshot with uname -r (or /proc/sys/kernel/osrelease) readable.' });
      } else if (!kernelAllowed(release, e.kernels.allowed)) {
        out.add(e, e.kernels.line, 'kernel', {
          layer: 'kernel',
          cause: 'kernel-not-allowed',
          severity: 'fail',
          title: `Kernel ${release} is not one the policy allows (${e.kernels.allowed.join(', ')})`,
          evidence: [{ source: '/proc/sys/kernel/osrelease', text: release }],
          decision: 'Boot an allowed kernel, or canary this one on one host of the SKU (vfio-doctor fleet) and then add it to the policy.',
        });
      }
    }

    if (e.minimumBios) {
      const bios = snap.host.dmi?.biosVersion?.trim() || null;
      if (bios === null) {
        out.add(e, e.minimumBios.line, 'bios', { layer: 'firmware', cause: 'bios-below-minimum', severity: 'warn', title: 'The BIOS version is not known, so the policy\'s minimum cannot be checked', decision: 'Capture the snapshot with /sys/class/dmi/id/bios_version readable.' });
      } else if (compareVersions(bios, e.minimumBios.version) < 0) {
        out.add(e, e.minimumBios.line, 'bios', {
          layer: 'firmware',
          cause: 'bios-below-minimum',
          severity: 'fail',
          title: `BIOS ${bios} is older than the policy's minimum ${e.minimumBios.version}`,
          evidence: [{ source: '/sys/class/dmi/id/bios_version', text: bios }],
          decision: 'Update the firmware to the minimum the policy names (it was set for a reason: IOMMU tables, ACS, reset or interrupt remapping fixes), then check the host again.',
        });
      }
    }
  }

  const acs = snap.host.cmdline?.iommu.pcieAcsOverride;
  if (acs !== null && acs !== undefined) {
    const allowing = entries.find((e) => e.acsOverride?.decision === 'allowed');
    const forbidding = entries.find((e) => e.acsOverride?.decision === 'forbidden');
    const evidence: Evidence[] = [{ source: '/proc/cmdline', text: `pcie_acs_override=${acs}` }];
    if (forbidding || !allowing) {
      const why = forbidding ? `entry "${forbidding.name}" forbids it` : entries.length > 0 ? `no policy entry for this host allows it (${entries.map((e) => `"${e.name}"`).join(', ')})` : 'no policy entry matches this host, so nothing allows it';
      out.add(forbidding ?? null, forbidding?.acsOverride?.line ?? null, 'acs-override', {
        layer: 'isolation',
        cause: 'acs-override-in-use',
        severity: 'fail',
        title: `ACS override is on (pcie_acs_override=${acs}) and ${why}`,
        evidence,
        decision: `${ACS_THREAT} Remove the option and give the device a slot that isolates; or, if this risk is accepted for this host, write it down: acs_override with decision: allowed, a reason, an owner and a review_by date.`,
        commands: kernelArgCommands(snap, { remove: ['pcie_acs_override'] }),
      });
    } else {
      const a = allowing.acsOverride!;
      out.add(allowing, a.line, 'acs-override', {
        layer: 'isolation',
        cause: 'acs-override-in-use',
        severity: 'info',
        title: `ACS override is on, allowed by entry "${allowing.name}": ${a.reason} (owner ${a.owner}, review by ${a.reviewBy})`,
        evidence,
        decision: `${ACS_THREAT} The policy accepts this risk until ${a.reviewBy}.`,
      });
    }
  }
  return { entries, findings };
}

/** The report with the policy's findings in it, sorted and judged again as one. */
export function withPolicyFindings(report: Report, findings: Finding[]): Report {
  if (findings.length === 0) return report;
  const sorted = sortFindings([...report.findings, ...findings]);
  return { ...report, findings: sorted, verdict: decideVerdict(sorted, report.unchecked, report.settled.map((x) => x.layer), report.named ?? []) };
}
