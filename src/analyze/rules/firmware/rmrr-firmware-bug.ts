import type { Rule } from '../../rule.js';
import { seenEvents } from '../evidence-events.js';

// rmrr judges RMRRs that the log or sysfs ties to a target. The firmware's table itself can be broken
// ("[Firmware Bug]: Your BIOS is broken; bad RMRR") without naming a device: that decides whether a device
// behind it can be assigned at all, and why a "relaxable RMRR" kernel helps.
export const rmrrFirmwareBug: Rule = {
  meta: {
    id: 'rmrr-firmware-bug',
    layer: 'firmware',
    title: 'Firmware bug in RMRR / IVMD',
    causes: ['rmrr-blocked'],
    description: 'The firmware\'s RMRR entries are well-formed (no "[Firmware Bug]" about an RMRR in the kernel log).',
  },
  check(ctx, out) {
    const bugs = seenEvents(ctx.snap).filter((e) => e.event.kind === 'rmrr-firmware-bug' && e.event.device === null);
    if (bugs.length === 0) return;
    const s = ctx.snap;
    const relaxed = /relax(?:able)?[-_]?rmrr/i.test(s.host.kernelRelease ?? '') || (s.host.cmdline?.iommu.intelIommu ?? []).includes('relax_rmrr');
    out.report({
      cause: 'rmrr-blocked',
      // Still a warning with the relaxed kernel: the host works only while it runs that kernel build, and
      // the next stock kernel update brings the RMRR refusal back.
      severity: 'warn',
      title: relaxed ? 'The firmware\'s RMRR table is broken; only this kernel\'s relaxed RMRR checks let it work' : 'The firmware\'s RMRR table is broken',
      evidence: [...bugs.map((e) => e.evidence).slice(0, 4), ...(relaxed ? [{ source: 'uname -r', text: s.host.kernelRelease ?? '' }] : [])],
      decision: relaxed
        ? 'A kernel with the relaxable-RMRR patch ignores RMRRs for assignment, which is why a device covered by one can be passed through here. It also means that device may still DMA into the reserved range: keep firmware and controller features that use it (management, RAID cache) off, and watch for DMA faults. A kernel update to a build without the patch brings the refusal back: hold the kernel package, or fix the firmware (BIOS update, or the option that turns off the device\'s firmware features).'
        : 'Intel VT-d refuses to assign a device covered by an RMRR ("Device is ineligible for IOMMU domain attach due to platform RMRR requirement"). If the device you pass through is one of them (often an HBA or NIC with management firmware), look for a BIOS option that turns its firmware features off or update the BIOS; kernels with the relaxable-RMRR patch (Proxmox community builds) ignore it at the risk of DMA corruption.',
    });
  },
};
