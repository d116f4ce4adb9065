import type { Rule } from '../../rule.js';
import { inactiveReason } from '../../iommu-status.js';
import type { DmiInfo } from '../../../snapshot/types.js';

/** The board and firmware the advice is about, when DMI (sysfs or a pasted dmidecode) says. */
function firmwareWords(dmi: DmiInfo | null): string {
  if (!dmi?.biosVersion) return '';
  const board = [dmi.boardVendor ?? dmi.sysVendor, dmi.boardName ?? dmi.productName].filter(Boolean).join(' ');
  return ` This ${board ? `board (${board})` : 'host'} runs firmware ${dmi.biosVersion}${dmi.biosDate ? ` of ${dmi.biosDate}` : ''}${dmi.biosVendor ? ` (${dmi.biosVendor})` : ''}: compare it with the newest on the vendor's support page.`;
}

export const noIommuTable: Rule = {
  meta: {
    id: 'no-iommu-table',
    layer: 'firmware',
    title: 'Firmware IOMMU table (DMAR / IVRS)',
    causes: ['iommu-disabled-firmware'],
    description: 'The firmware publishes the ACPI table that describes the IOMMU (DMAR on Intel, IVRS on AMD).',
  },
  check(ctx, out) {
    const r = inactiveReason(ctx);
    if (r.kind === 'unknown') {
      out.cannotCheck(null, r.why, 'ls /sys/kernel/iommu_groups /sys/class/iommu');
      return;
    }
    if (r.kind !== 'no-firmware-table') return;
    const vendor = ctx.snap.host.cpu?.vendor;
    const intel = vendor === 'intel';
    const vm = ctx.snap.host.virtualMachine === true;
    const decision = vm
      ? 'This host is itself a virtual machine, and its virtual firmware exposes no IOMMU. Nested passthrough needs the outer hypervisor to give this VM a virtual IOMMU with interrupt remapping: QEMU "-machine q35,kernel-irqchip=split -device intel-iommu,intremap=on,caching-mode=on", or libvirt "<iommu model=\'intel\'><driver intremap=\'on\' caching_mode=\'on\'/></iommu>". Nothing inside this VM can turn it on.'
      : `Enable ${intel ? 'VT-d ("Intel Virtualization Technology for Directed I/O")' : vendor === 'amd' ? 'the IOMMU ("AMD-Vi" / "IOMMU", and SVM)' : 'the IOMMU (VT-d on Intel, "AMD-Vi" / "IOMMU" on AMD)'} in the BIOS/UEFI setup (in a virtual machine: give it a virtual IOMMU), then boot again. Do not touch VFIO, grouping or the VM configuration before this is fixed: nothing later can work without it. If the option is enabled already, update the firmware: some boards ship without the table.${firmwareWords(ctx.snap.host.dmi)}`;
    out.report({
      cause: 'iommu-disabled-firmware',
      severity: 'fail',
      title: vm
        ? 'No IOMMU: this virtual machine has no virtual IOMMU'
        : `No IOMMU: the firmware does not expose ${intel ? 'VT-d (no DMAR table)' : vendor === 'amd' ? 'AMD-Vi (no IVRS table)' : 'an IOMMU (no DMAR or IVRS table)'}`,
      evidence: r.evidence,
      decision,
    });
  },
};
