// Which devices a paste is about. Besides what the user says (--device, --ids) and what the host's own
// configuration implies (vfio-pci ids, devices bound to vfio-pci), the devices a VM manager tried to assign
// (QEMU host=, libvirt hostdevs and hook variables, Proxmox hostpciN, DPDK's EAL) are targets: that is
// what the person is trying to pass through.
import type { NamedDevice, Snapshot } from '../snapshot/types.js';
import { analyze, type Report } from '../analyze/analyze.js';
import { buildContext, type AnalysisOptions } from '../analyze/context.js';

function namedDevices(snap: Snapshot): NamedDevice[] {
  const named = snap.pasted?.namedDevices ?? [];
  return [...named];
}

/** analyze() with the devices the paste names as targets when the user named none. */
export function analyzeCaptured(snap: Snapshot, opts: AnalysisOptions = {}): Report {
  const explicit = (opts.devices?.length ?? 0) > 0 || (opts.ids?.length ?? 0) > 0;
  const named = namedDevices(snap);
  // A VM the user focused on (--vm) decides the targets alone, as check --vm does.
  if (explicit || named.length === 0 || snap.hypervisor?.focus) return analyze(snap, opts);
  const implicit = buildContext(snap, {}).targets.filter((t) => t.role === 'target');
  const devices = [...new Set([...named.map((n) => n.address), ...implicit.map((t) => t.address)])];
  const report = analyze(snap, { devices, named: [...named.map((n) => n.address), ...(opts.named ?? [])] });
  // The runner labels every address it was given as "--device"; say where each really came from.
  for (const t of report.targets) {
    if (!t.reasons.includes('--device')) continue;
    const reasons = [
      ...named.filter((n) => n.address === t.address).map((n) => `named by ${n.by} (${n.where})`),
      ...(implicit.find((i) => i.address === t.address)?.reasons ?? []),
    ];
    t.reasons = [...t.reasons.filter((r) => r !== '--device'), ...new Set(reasons)];
  }
  return report;
}
