import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { seenEvents } from '../evidence-events.js';

// irq-remapping judges interrupt remapping once the IOMMU is known to be active. When that is not known
// (captured output without sysfs), a line that says remapping is unavailable is still a fact to act on.
export const irqRemapEvidence: Rule = {
  meta: {
    id: 'irq-remap-evidence',
    layer: 'kernel',
    causes: ['irq-remap-missing'],
    description: 'Without sysfs to judge DMA remapping, the kernel log and config still show when interrupt remapping is unavailable (x2apic without IR, "No interrupt remapping support", CONFIG_IRQ_REMAP off).',
  },
  check(ctx, out) {
    // Known active: irq-remapping judges it; known inactive: the IOMMU verdict comes first.
    if (ctx.iommuActive !== null) return;
    const s = ctx.snap;
    const events = seenEvents(s);
    if (events.some((e) => e.event.signals.includes('irq-remapping-active')) || s.interrupts?.remapped) return;
    const evidence: Evidence[] = events.filter((e) => e.event.signals.includes('irq-remapping-unavailable')).slice(0, 4).map((e) => e.evidence);
    if (s.kernelConfig?.options['CONFIG_IRQ_REMAP'] === 'n') evidence.push({ source: s.kernelConfig.path, text: 'CONFIG_IRQ_REMAP is not set' });
    if (s.host.cmdline?.iommu.intremap === 'off') evidence.push({ source: '/proc/cmdline', text: 'intremap=off' });
    if (evidence.length === 0) return;
    const allowed = /^(1|y|Y)$/.test(s.modules.parameters['vfio_iommu_type1']?.['allow_unsafe_interrupts'] ?? s.host.cmdline?.iommu.allowUnsafeInterrupts ?? '');
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
  },
};
