import type { AnalysisContext } from './context.js';
import type { Evidence } from './finding.js';
import { logMatches } from './log-evidence.js';
import { kernelLogComplete } from './evidence-scope.js';

// Why DMA remapping is not active, decided once from the evidence, so that exactly one rule (the one
// owning that reason) reports it. kernel-facts §0: sysfs decides activation; "DMAR: IOMMU enabled"
// only proves the option was parsed.

export type InactiveReason =
  | { kind: 'active' }
  | { kind: 'unknown'; why: string }
  | { kind: 'no-firmware-table'; evidence: Evidence[] }
  | { kind: 'cmdline-off'; evidence: Evidence[]; option: string }
  | { kind: 'default-off'; evidence: Evidence[] }
  | { kind: 'not-initialised'; evidence: Evidence[] };

export function tableName(ctx: AnalysisContext): 'DMAR' | 'IVRS' | null {
  const v = ctx.snap.host.cpu?.vendor;
  return v === 'intel' ? 'DMAR' : v === 'amd' ? 'IVRS' : null;
}

/** Whether the kernel config enables the Intel IOMMU without intel_iommu=on; null when unknown. */
export function intelDefaultOn(ctx: AnalysisContext): boolean | null {
  return intelDefaultOnInConfig(ctx.snap.kernelConfig?.options);
}

/** The same question for any kernel's config options (the running one's, or a kernel not yet booted). */
export function intelDefaultOnInConfig(o: Record<string, string> | undefined): boolean | null {
  if (!o) return null;
  if (o['CONFIG_INTEL_IOMMU'] === 'n' || o['CONFIG_INTEL_IOMMU'] === undefined) return false;
  // The Kconfig choice DEFAULT_ON / DEFAULT_ON_INTGPU_OFF / DEFAULT_OFF (Debian picks the second): on
  // for everything but the integrated GPU counts as on.
  return o['CONFIG_INTEL_IOMMU_DEFAULT_ON'] === 'y' || o['CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF'] === 'y';
}

/** The config line that says the Intel IOMMU's default, for evidence. */
export function intelDefaultLine(o: Record<string, string>): string {
  for (const key of ['CONFIG_INTEL_IOMMU_DEFAULT_ON', 'CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF', 'CONFIG_INTEL_IOMMU_DEFAULT_OFF']) {
    if (o[key] === 'y') return `${key}=y`;
  }
  return '# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set';
}

export function inactiveReason(ctx: AnalysisContext): InactiveReason {
  const s = ctx.snap;
  if (ctx.iommuActive === true) return { kind: 'active' };
  const tables = s.firmware.acpiTables;
  // A listing of the firmware's ACPI tables with neither IOMMU table settles it without sysfs (a pasted
  // boot log): with no DMAR or IVRS (nor Arm's IORT) the kernel has nothing to turn on.
  const noTableListed = tables.DMAR === false && tables.IVRS === false && tables.IORT !== true;
  if (ctx.iommuActive === null && !noTableListed) return { kind: 'unknown', why: 'neither /sys/kernel/iommu_groups nor /sys/class/iommu could be read' };
  // Without /proc/cpuinfo (a pasted boot log), the firmware's IOMMU table tells the vendor.
  const vendor = s.host.cpu?.vendor ?? (tables.DMAR === true ? 'intel' : tables.IVRS === true ? 'amd' : null);
  const table = tableName(ctx);
  const opts = s.host.cmdline?.iommu;

  if (opts) {
    if (vendor === 'intel' && opts.intelIommu?.includes('off')) {
      return { kind: 'cmdline-off', option: 'intel_iommu=off', evidence: [{ source: '/proc/cmdline', text: `intel_iommu=${opts.intelIommu.join(',')}` }] };
    }
    if (vendor === 'amd' && opts.amdIommu?.includes('off')) {
      return { kind: 'cmdline-off', option: 'amd_iommu=off', evidence: [{ source: '/proc/cmdline', text: `amd_iommu=${opts.amdIommu.join(',')}` }] };
    }
    if (opts.iommu === 'off') return { kind: 'cmdline-off', option: 'iommu=off', evidence: [{ source: '/proc/cmdline', text: 'iommu=off' }] };
  }

  const tablePresent = table === null ? null : tables[table];
  if (tablePresent === false) {
    return {
      kind: 'no-firmware-table',
      evidence: [
        { source: '/sys/firmware/acpi/tables', text: `no ${table} table (${vendor === 'intel' ? 'VT-d' : 'AMD-Vi'} not exposed by the firmware)` },
        ...logMatches(s, /DMAR: IOMMU enabled|AMD-Vi: Unknown option/, 2),
      ],
    };
  }
  if (noTableListed) {
    const where = s.sources['acpi-tables']?.path ?? '/sys/firmware/acpi/tables';
    return { kind: 'no-firmware-table', evidence: [{ source: where, text: 'no DMAR (Intel VT-d) and no IVRS (AMD-Vi) table among the firmware\'s ACPI tables' }] };
  }
  if (tablePresent === null && table === 'DMAR' && kernelLogComplete(s)) {
    // The DMAR table is parsed (and announced) even with DMA remapping off; its absence from the log means no table.
    const tableLines = logMatches(s, /DMAR: (Host address width|DRHD base)|DMAR: dmar\d+: reg_base_addr/, 2);
    if (tableLines.length === 0) {
      return { kind: 'no-firmware-table', evidence: [{ source: s.kernelLog?.from ?? 'kernel log', text: 'no DMAR table lines (Host address width, DRHD base) in the kernel log' }] };
    }
  }
  if (tablePresent === null && table === 'IVRS' && kernelLogComplete(s)) {
    // The boot's ACPI table list names IVRS, and the AMD IOMMU driver (which runs only when IVRS exists)
    // announces the hardware; a complete log with neither has no IVRS table. amd_iommu=off was handled above.
    const tableLines = logMatches(s, /ACPI: (?:Reserving )?IVRS|AMD-Vi: (?:Found IOMMU|Extended features|IOMMU performance counters|Interrupt remapping enabled)|IVRS/, 2);
    if (tableLines.length === 0) {
      return { kind: 'no-firmware-table', evidence: [{ source: s.kernelLog?.from ?? 'kernel log', text: 'no IVRS table lines (ACPI: IVRS, AMD-Vi: Found IOMMU / Extended features) in the kernel log' }] };
    }
  }

  if (vendor === 'intel' && !opts?.intelIommu?.includes('on')) {
    const def = intelDefaultOn(ctx);
    if (def !== true) {
      const ev: Evidence[] = [{ source: '/proc/cmdline', text: s.host.cmdline?.raw ?? '(not read)' }];
      if (s.kernelConfig) {
        const o = s.kernelConfig.options;
        ev.push({ source: s.kernelConfig.path, text: `CONFIG_INTEL_IOMMU_DEFAULT_ON=${o['CONFIG_INTEL_IOMMU_DEFAULT_ON'] ?? 'n'}` });
      }
      return { kind: 'default-off', evidence: ev };
    }
  }
  const ev = logMatches(s, /DMAR: IOMMU enabled|DMAR:.*[Ff]irmware [Bb]ug|DMAR: .*[Dd]isabl|AMD-Vi: .*disabled|AMD-Vi: (?:Disable IOMMU on|IOMMU not currently supported|IVRS table error|\[Firmware Bug\]: IVRS)|IOMMU.*not found|Failed to (init|enable)/, 5);
  return { kind: 'not-initialised', evidence: ev };
}
