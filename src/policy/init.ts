import type { Snapshot } from '../snapshot/types.js';
import type { Report } from '../analyze/analyze.js';
import { describeDevice, idPair, isBridge } from '../analyze/pci-facts.js';
import { unsafeInterruptsAllowed } from '../analyze/rules/kernel/irq-remapping.js';
import { POLICY_VERSION } from './parse.js';
import { dmiValue } from '../fleet/assess.js';

// "Write it down": the policy a healthy host already satisfies, with every key explained, so the
// operator edits a true description instead of starting from a blank page during an outage.

/** A YAML double-quoted string (JSON's escapes are YAML's). */
function q(s: string): string {
  return JSON.stringify(s);
}

function series(release: string): string {
  return /^(\d+\.\d+)/.exec(release)?.[1] ?? release;
}

export function renderPolicyTemplate(snap: Snapshot, report: Report, writtenAt: string): string {
  const dmi = snap.host.dmi;
  const byAddress = new Map(snap.pci.map((d) => [d.address, d]));
  const name = dmiValue(dmi?.productName) ?? snap.host.hostname ?? 'this-host';
  const out: string[] = [
    `# vfio-doctor passthrough policy, written by "vfio-doctor policy init" from ${snap.host.hostname ?? 'a host'} on ${writtenAt.slice(0, 10)}.`,
    '# It states what a passthrough host of this kind must be; "vfio-doctor check --policy FILE" and',
    '# "vfio-doctor fleet --policy FILE" report every deviation as a finding in its layer. Reference: docs/policy.md.',
    `version: ${POLICY_VERSION}`,
    'entries:',
    `  - name: ${q(name)}`,
    '    # Which hosts this entry holds: every field given must match (globs: * and ?, case-insensitive).',
    '    # Without "match" the entry holds every host. "host" matches the hostname, e.g. "hv-*".',
    '    match:',
  ];
  const matchLines: [string, string | null | undefined][] = [
    ['vendor', dmi?.sysVendor],
    ['product', dmi?.productName],
    ['board', dmi?.boardName],
    ['cpu', snap.host.cpu?.modelName],
  ];
  const present = matchLines.filter(([, v]) => dmiValue(v) !== null);
  for (const [k, v] of present) out.push(`      ${k}: ${q(dmiValue(v)!)}`);
  if (present.length === 0) out.push(`      host: ${q(snap.host.hostname ?? '*')}`);

  const targets = report.targets.filter((t) => t.role === 'target');
  out.push(
    '    # Functions that must be bound to vfio-pci: "id" (vendor:device, every function with it) or "address".',
    '    # isolation: "alone" (no other device in its IOMMU group but bridges), or the list of ids / addresses',
    '    # allowed beside it. reset: a reset method the device must offer (device_specific, acpi, flr, af_flr,',
    '    # pm, bus, cxl_bus), as /sys/bus/pci/devices/ADDR/reset_method lists them.',
  );
  if (targets.length === 0) out.push('    # (no passthrough target was found on this host: add them here)', '    # targets:', '    #   - id: "10de:1e87"', '    #     isolation: alone');
  else out.push('    targets:');
  for (const t of targets) {
    const d = byAddress.get(t.address);
    out.push(`      - address: ${q(t.address)}${d ? `   # ${describeDevice(d).replace(`${d.address} `, '')}` : ''}`);
    if (!d) continue;
    const group = d.iommuGroup === null ? undefined : snap.iommu.groups?.find((g) => g.id === d.iommuGroup);
    if (group) {
      const mates = group.devices.filter((a) => a !== d.address).map((a) => byAddress.get(a)).filter((m) => m !== undefined && !isBridge(m));
      out.push(mates.length === 0 ? '        isolation: alone' : `        isolation: [${mates.map((m) => q(m!.address)).join(', ')}]   # ${mates.map((m) => idPair(m!)).join(', ')}`);
    }
    const reset = d.resetMethods?.[0];
    if (reset) out.push(`        reset: ${reset}   # offered now: ${d.resetMethods!.join(', ')}`);
  }

  const irMissing = report.findings.some((f) => f.cause === 'irq-remap-missing') || report.unchecked.some((u) => u.id === 'irq-remapping');
  out.push('    # required: interrupt remapping must be on (VFIO refuses devices without it, unless unsafe interrupts are allowed).');
  out.push(irMissing ? '    # interrupt_remapping: required   # not confirmed on this host' : '    interrupt_remapping: required');

  const acs = snap.host.cmdline?.iommu.pcieAcsOverride;
  out.push(
    '    # pcie_acs_override splits IOMMU groups the hardware does not isolate: a guest can then reach the DMA of',
    '    # its former group mates. "forbidden", or "allowed" with the reason, the owner and a review date',
    '    # (a date in the past makes the policy invalid until someone reviews the decision):',
    '    #   acs_override: { decision: allowed, reason: "lab host, single tenant", owner: "infra-team", review_by: "2027-06-30" }',
    '    acs_override:',
    '      decision: forbidden',
  );
  if (acs !== null && acs !== undefined) out.push(`      # this host runs pcie_acs_override=${acs}: as written, the check fails until it is removed or allowed above`);

  out.push('    # allow_unsafe_interrupts lets VFIO run without interrupt remapping; a guest can then forge interrupts.');
  out.push('    allow_unsafe_interrupts: forbidden');
  if (unsafeInterruptsAllowed(snap)) out.push('    # this host allows unsafe interrupts now: as written, the check fails until that is removed');

  if (snap.host.kernelRelease) {
    out.push(
      '    # Kernels this kind of host may run: a release, a series ("6.8" allows 6.8.x) or a glob. Add a new',
      '    # kernel after its canary passed: vfio-doctor fleet --kernel RELEASE.',
      `    kernels: [${q(series(snap.host.kernelRelease))}]   # running now: ${snap.host.kernelRelease}`,
    );
  }
  const bios = dmi?.biosVersion?.trim();
  if (bios) out.push('    # The oldest BIOS allowed (compared number by number, as the vendor writes them).', `    minimum_bios: ${q(bios)}${dmi?.biosDate ? `   # ${dmi.biosDate}` : ''}`);
  return out.join('\n') + '\n';
}
