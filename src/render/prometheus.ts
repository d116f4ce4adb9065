import type { Snapshot } from '../snapshot/types.js';
import type { Report } from '../analyze/analyze.js';
import { LAYERS } from '../analyze/layers.js';
import { idPair, isBridge, vfioDriver } from '../analyze/pci-facts.js';
import { seenEvents } from '../analyze/rules/evidence-events.js';
import { assess } from '../fleet/assess.js';
import type { LayerState } from '../fleet/types.js';

// The check's result in Prometheus' text exposition format, for node_exporter's textfile collector:
// each host exports, Prometheus aggregates and alerts. Metric names and labels are interface,
// documented with example alert rules in docs/prometheus.md.

/** Label values escape backslash, double quote and line feed (exposition format). */
function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(l: Record<string, string>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${label(v)}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

class Exposition {
  private lines: string[] = [];
  family(name: string, type: 'gauge', help: string, samples: [Record<string, string>, number][]): void {
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of samples) this.lines.push(`${name}${labels(l)} ${Number.isFinite(v) ? String(v) : 'NaN'}`);
  }
  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

/** Faults the kernel log kept since boot, by the device the record names. */
function dmaFaults(snap: Snapshot): Map<string, number> {
  const all = seenEvents(snap).filter((e) => e.from === 'kernel' && e.event.signals.includes('dma-fault'));
  // A fault interrupt's status lines name no device; they stand in only when no fault record was kept.
  const records = all.filter((e) => e.event.device !== null || e.event.fields['requester'] || e.event.fields['faultingDevice']);
  const faults = records.length > 0 ? records : all;
  const out = new Map<string, number>();
  for (const f of faults) {
    const printed = (f.event.fields['requester'] as string | null | undefined) ?? (f.event.fields['faultingDevice'] as string | null | undefined) ?? f.event.device;
    let dev = 'unknown';
    if (printed) {
      const exact = snap.pci.find((d) => d.address === printed || d.address.endsWith(`:${printed}`));
      dev = exact?.address ?? printed;
    }
    out.set(dev, (out.get(dev) ?? 0) + 1);
  }
  return out;
}

const STATES: LayerState[] = ['ok', 'warn', 'fail', 'undetermined'];
const STATUSES = ['healthy', 'warning', 'undetermined', 'broken'] as const;

export function prometheusText(snap: Snapshot, report: Report): string {
  const e = new Exposition();
  const a = assess(snap, report);
  const dmi = snap.host.dmi;
  e.family('vfio_doctor_info', 'gauge', 'Always 1; the host, its running kernel and BIOS as labels (join on instance).', [
    [{ hostname: snap.host.hostname ?? '', kernel: snap.host.kernelRelease ?? '', bios_version: dmi?.biosVersion?.trim() ?? '', bios_date: dmi?.biosDate?.trim() ?? '', tool_version: snap.tool.version }, 1],
  ]);
  e.family('vfio_doctor_check_timestamp_seconds', 'gauge', 'When the snapshot was taken (Unix time): alert when it gets old.', [[{}, Date.parse(snap.collectedAt) / 1000]]);
  e.family('vfio_doctor_verdict', 'gauge', 'The verdict: 1 for the current status, 0 for the others.', STATUSES.map((s) => [{ status: s }, report.verdict.status === s ? 1 : 0]));
  if (report.verdict.layer !== null) {
    e.family('vfio_doctor_verdict_info', 'gauge', 'Always 1; the layer and cause that decide a verdict other than healthy.', [
      [{ status: report.verdict.status, layer: report.verdict.layer, cause: report.verdict.cause ?? '', finding: report.verdict.findingId ?? '' }, 1],
    ]);
  }
  e.family(
    'vfio_doctor_layer_state',
    'gauge',
    'Each layer of the chain: 1 for its state (ok, warn, fail, undetermined), 0 for the others.',
    LAYERS.flatMap((l) => STATES.map((s) => [{ layer: l, state: s }, a.layers[l] === s ? 1 : 0] as [Record<string, string>, number])),
  );
  e.family(
    'vfio_doctor_findings',
    'gauge',
    'Findings of the check by severity.',
    (['fail', 'warn', 'info'] as const).map((s) => [{ severity: s }, report.findings.filter((f) => f.severity === s).length]),
  );
  const byAddress = new Map(snap.pci.map((d) => [d.address, d]));
  const targets = report.targets.map((t) => ({ t, d: byAddress.get(t.address) }));
  e.family('vfio_doctor_targets', 'gauge', 'Passthrough targets and their companions the check found.', [[{}, targets.length]]);
  e.family('vfio_doctor_targets_bound', 'gauge', 'Targets and companions owned by vfio-pci now.', [[{}, targets.filter(({ d }) => d && vfioDriver(d.driver)).length]]);
  e.family(
    'vfio_doctor_target_bound',
    'gauge',
    'Per target or companion: 1 when vfio-pci owns it.',
    targets.map(({ t, d }) => [{ device: t.address, id: d ? idPair(d) : '', role: t.role, driver: d?.driver ?? '' }, d && vfioDriver(d.driver) ? 1 : 0]),
  );
  const groups = new Map((snap.iommu.groups ?? []).map((g) => [g.id, g]));
  e.family(
    'vfio_doctor_target_group_size',
    'gauge',
    'Per target or companion: functions in its IOMMU group that are not bridges (1: alone).',
    targets.flatMap(({ t, d }) => {
      const g = d?.iommuGroup === null || d?.iommuGroup === undefined ? undefined : groups.get(d.iommuGroup);
      if (!g) return [];
      const size = g.devices.filter((x) => {
        const m = byAddress.get(x);
        return !m || !isBridge(m);
      }).length;
      return [[{ device: t.address, group: String(g.id) }, size] as [Record<string, string>, number]];
    }),
  );
  const faults = dmaFaults(snap);
  e.family('vfio_doctor_dma_faults', 'gauge', 'DMA faults (DMAR / AMD-Vi) in the kernel log since boot.', [[{}, [...faults.values()].reduce((x, y) => x + y, 0)]]);
  e.family('vfio_doctor_device_dma_faults', 'gauge', 'DMA faults in the kernel log since boot, by the device the fault record names.', [...faults].sort().map(([dev, n]) => [{ device: dev }, n]));
  e.family('vfio_doctor_kernel_log_read', 'gauge', '1 when the kernel log was read (the fault counts mean something).', [[{}, snap.kernelLog ? 1 : 0]]);
  return e.text();
}
