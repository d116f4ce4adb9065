import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { logMatches } from '../../log-evidence.js';
import { kernelArgCommands } from '../../fixes/kernel-args.js';
import { seenEvents } from '../evidence-events.js';
import type { AnalysisContext } from '../../context.js';
import type { RuleReport } from '../../rule.js';

const ENABLED_LOG = /DMAR-IR: Enabled IRQ remapping|AMD-Vi: Interrupt remapping enabled/;
const DISABLED_LOG = /DMAR-IR: (Not enabling interrupt remapping|Failed to)|AMD-Vi: Disabling interrupt remapping|irq remapping (is being )?disabled|interrupt remapping is being disabled|Failed to enable irq remapping|x2apic: IRQ remapping doesn't support|No interrupt remapping support/i;

export const irqRemapping: Rule = {
  meta: {
    id: 'irq-remapping',
    layer: 'kernel',
    title: 'Interrupt remapping',
    causes: ['irq-remap-missing'],
    description: 'Interrupt remapping is on: VFIO (type1) refuses devices without it unless unsafe interrupts are allowed. Without sysfs, log lines, the kernel config (CONFIG_IRQ_REMAP) and the command line still show it unavailable.',
  },
  check(ctx, out) {
    // Known inactive: the IOMMU verdict comes first. Unknown (captured output without sysfs): only
    // what the captured lines say positively counts.
    if (ctx.iommuActive === false) return;
    if (ctx.iommuActive === null) {
      fromCapturedEvidence(ctx, out);
      return;
    }
    const s = ctx.snap;
    const evidence: Evidence[] = [];
    let missing: boolean | null = null;
    if (s.interrupts?.remapped || logMatches(s, ENABLED_LOG, 1).length > 0) missing = false;
    const unitsWithoutIr = s.iommu.units.filter((u) => u.intel && !u.intel.interruptRemapping);
    if (unitsWithoutIr.length > 0) {
      missing = true;
      for (const u of unitsWithoutIr) evidence.push({ source: `/sys/class/iommu/${u.name}/intel-iommu/ecap`, text: `${u.ecap} (bit 3, interrupt remapping, is clear)` });
    }
    const intremap = s.host.cmdline?.iommu.intremap;
    if (intremap === 'off') {
      missing = true;
      evidence.push({ source: '/proc/cmdline', text: 'intremap=off' });
    }
    if (s.kernelConfig?.options['CONFIG_IRQ_REMAP'] === 'n') {
      missing = true;
      evidence.push({ source: s.kernelConfig.path, text: 'CONFIG_IRQ_REMAP is not set' });
    }
    const disabledLines = logMatches(s, DISABLED_LOG, 3);
    if (disabledLines.length > 0 && missing !== false) {
      missing = true;
      evidence.push(...disabledLines);
    }
    if (missing === null && s.interrupts && !s.interrupts.remapped && s.kernelLog) {
      missing = true;
      evidence.push({ source: '/proc/interrupts', text: `no IR- interrupt chips (${s.interrupts.chips.slice(0, 4).join(', ')})` });
    }
    if (missing === null) {
      out.cannotCheck(null, 'neither /proc/interrupts nor the kernel log says whether interrupt remapping is on', "dmesg | grep -i -e 'DMAR-IR' -e 'AMD-Vi: Interrupt remapping'");
      return;
    }
    if (!missing) return;
    const allowed = unsafeInterruptsAllowed(s);
    out.report({
      cause: 'irq-remap-missing',
      severity: allowed ? 'warn' : 'fail',
      title: allowed ? 'Interrupt remapping is off; VFIO runs only because unsafe interrupts are allowed' : 'Interrupt remapping is off: VFIO will refuse to assign devices',
      evidence,
      decision: intremap === 'off'
        ? 'Remove intremap=off from the kernel command line and reboot.'
        : allowed
          ? 'allow_unsafe_interrupts lets a guest forge interrupts (MSI injection). Acceptable on a single-tenant lab host; treat it as a platform risk elsewhere, and prefer hardware and firmware with interrupt remapping.'
          : 'Without interrupt remapping, vfio_iommu_type1 fails with "No interrupt remapping support". Enable it in the firmware (VT-d / IOMMU options; some boards tie it to x2APIC), update the BIOS, and use a kernel built with CONFIG_IRQ_REMAP. As a last resort on a trusted single-tenant host: vfio_iommu_type1.allow_unsafe_interrupts=1.',
      commands: intremap === 'off' ? kernelArgCommands(s, { remove: ['intremap'] }) : [],
    });
  },
};

/** Without sysfs, a log line, the kernel config or the command line can still show interrupt remapping unavailable. */
function fromCapturedEvidence(ctx: AnalysisContext, out: RuleReport): void {
  const s = ctx.snap;
  const events = seenEvents(s);
  if (events.some((e) => e.event.signals.includes('irq-remapping-active')) || s.interrupts?.remapped) return;
  const evidence: Evidence[] = events.filter((e) => e.event.signals.includes('irq-remapping-unavailable')).slice(0, 4).map((e) => e.evidence);
  if (s.kernelConfig?.options['CONFIG_IRQ_REMAP'] === 'n') evidence.push({ source: s.kernelConfig.path, text: 'CONFIG_IRQ_REMAP is not set' });
  if (s.host.cmdline?.iommu.intremap === 'off') evidence.push({ source: '/proc/cmdline', text: 'intremap=off' });
  if (evidence.length === 0) return;
  const allowed = unsafeInterruptsAllowed(s);
  const builtWithout = s.kernelConfig?.options['CONFIG_IRQ_REMAP'] === 'n';
  out.report({
    cause: 'irq-remap-missing',
    severity: allowed ? 'warn' : 'fail',
    title: 'Interrupt remapping is not available',
    evidence,
    decision:
      (builtWithout
        ? 'This kernel is built without CONFIG_IRQ_REMAP: use a kernel built with it (and with CONFIG_INTEL_IOMMU / CONFIG_AMD_IOMMU). '
        : 'Enable the IOMMU and interrupt remapping in the firmware (VT-d / AMD-Vi; some boards tie it to x2APIC), keep intremap on, and use a kernel built with CONFIG_IRQ_REMAP. ') +
      'Without it x2APIC falls back (large servers may not boot) and vfio_iommu_type1 refuses devices ("No interrupt remapping support") unless unsafe interrupts are allowed, which lets a guest forge interrupts.',
  });
}

/** vfio_iommu_type1.allow_unsafe_interrupts, as loaded or as given on the command line. */
export function unsafeInterruptsAllowed(s: AnalysisContext['snap']): boolean {
  return /^(1|y|Y)$/.test(s.modules.parameters['vfio_iommu_type1']?.['allow_unsafe_interrupts'] ?? s.host.cmdline?.iommu.allowUnsafeInterrupts ?? '');
}
