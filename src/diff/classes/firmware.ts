import type { ChangeKind } from '../types.js';
import { change, type ChangeClass } from './class.js';

// Firmware updates ride along with kernel updates and reset virtualization options to defaults:
// the IOMMU table or VT-x/AMD-V can vanish without anything on the Linux side changing.

function yesNo(v: boolean | null | undefined): string | null {
  return v === null || v === undefined ? null : v ? 'present' : 'absent';
}

export const firmware: ChangeClass = {
  meta: {
    id: 'firmware',
    layer: 'firmware',
    alsoLayers: ['modules'],
    causes: ['iommu-disabled-firmware'],
    title: 'Firmware',
    description: 'The ACPI IOMMU table (DMAR / IVRS), the CPU virtualisation flags, the BIOS version, Secure Boot and lockdown.',
    reports: ['firmware-iommu-table-lost', 'firmware-iommu-table-appeared', 'firmware-virtualization-disabled', 'firmware-virtualization-enabled', 'firmware-bios-changed', 'firmware-secure-boot-changed', 'lockdown-changed'],
  },
  compare(ctx, out) {
    const fa = ctx.a.snap.firmware;
    const fb = ctx.b.snap.firmware;
    const cpu = ctx.b.snap.host.cpu?.vendor ?? ctx.a.snap.host.cpu?.vendor ?? null;
    // Only the table this CPU's IOMMU uses decides anything; IORT is reported for ARM hosts.
    const tables = (cpu === 'intel' ? ['DMAR'] : cpu === 'amd' ? ['IVRS'] : ['DMAR', 'IVRS', 'IORT']) as ('DMAR' | 'IVRS' | 'IORT')[];
    for (const t of tables) {
      const was = fa.acpiTables[t];
      const now = fb.acpiTables[t];
      if (was === null || now === null || was === now) continue;
      const kind: ChangeKind = was && !now ? 'regression' : 'improvement';
      out.add(
        change(`firmware-iommu-table-${now ? 'appeared' : 'lost'}`, 'firmware', kind, `ACPI ${t} table ${now ? 'appeared' : 'is gone'}: the firmware ${now ? 'now exposes' : 'no longer exposes'} the IOMMU`, [
          { what: `${t} table`, before: yesNo(was), after: yesNo(now), source: `/sys/firmware/acpi/tables/${t}` },
        ], { cause: kind === 'regression' ? 'iommu-disabled-firmware' : null }),
      );
    }
    const ca = ctx.a.snap.host.cpu;
    const cb = ctx.b.snap.host.cpu;
    if (ca && cb && !cb.hypervisor && !ca.hypervisor) {
      const flag = cb.vendor === 'amd' ? 'svm' : 'vmx';
      const was = ca[flag];
      const now = cb[flag];
      if (was !== now) {
        out.add(
          change(`firmware-virtualization-${now ? 'enabled' : 'disabled'}`, 'firmware', now ? 'improvement' : 'regression', `CPU virtualization (${flag}) ${now ? 'is back' : 'is off'}: ${now ? 'enabled' : 'disabled'} in the firmware`, [
            { what: `${flag} flag`, before: yesNo(was), after: yesNo(now), source: '/proc/cpuinfo' },
          ]),
        );
      }
    }
    const da = ctx.a.snap.host.dmi;
    const db = ctx.b.snap.host.dmi;
    if (da && db && (da.biosVersion !== db.biosVersion || da.biosDate !== db.biosDate)) {
      out.add(
        change('firmware-bios-changed', 'firmware', 'neutral', `Firmware updated: BIOS ${da.biosVersion ?? '?'} → ${db.biosVersion ?? '?'} (an update can reset VT-d/IOMMU, ACS and PCIe options)`, [
          { what: 'BIOS version', before: da.biosVersion, after: db.biosVersion, source: '/sys/class/dmi/id/bios_version' },
          { what: 'BIOS date', before: da.biosDate, after: db.biosDate, source: '/sys/class/dmi/id/bios_date' },
        ]),
      );
    }
    if (fa.secureBoot !== null && fb.secureBoot !== null && fa.secureBoot !== fb.secureBoot) {
      out.add(
        change('firmware-secure-boot-changed', 'firmware', 'neutral', `Secure Boot turned ${fb.secureBoot ? 'on' : 'off'} (${fb.secureBoot ? 'unsigned out-of-tree modules will no longer load' : 'module signatures no longer enforced by it'})`, [
          { what: 'Secure Boot', before: fa.secureBoot ? 'on' : 'off', after: fb.secureBoot ? 'on' : 'off', source: '/sys/firmware/efi/efivars/SecureBoot-*' },
        ]),
      );
    }
    if (fa.lockdown !== null && fb.lockdown !== null && fa.lockdown !== fb.lockdown) {
      out.add(
        change('lockdown-changed', 'modules', 'neutral', `Kernel lockdown: ${fa.lockdown} → ${fb.lockdown}`, [
          { what: 'lockdown', before: fa.lockdown, after: fb.lockdown, source: '/sys/kernel/security/lockdown' },
        ]),
      );
    }
  },
};
