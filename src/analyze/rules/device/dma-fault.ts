import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { deviceOf, seenEvents } from '../evidence-events.js';
import { sh, literalRegex } from '../../shell.js';

// DMA faults (Intel DMAR fault records, AMD-Vi IO_PAGE_FAULT and friends): a device tried to reach memory
// its IOMMU domain does not map. For a passed-through device that is the passthrough failing; for a host
// device it is a warning about that device.
const AROUND_FAULTS = new Set(['dmar-fault-status', 'dmar-faults-suppressed']);

export const dmaFault: Rule = {
  meta: {
    id: 'dma-fault',
    layer: 'device',
    title: 'IOMMU DMA faults',
    causes: ['dma-fault'],
    description: 'The IOMMU logged no DMA faults (DMAR fault records, AMD-Vi IO_PAGE_FAULT) for the targets.',
  },
  check(ctx, out) {
    const all = seenEvents(ctx.snap).filter((e) => e.event.signals.includes('dma-fault'));
    // The fault interrupt's own lines ("handling fault status", "callbacks suppressed") name no device:
    // they count only when no fault record was kept.
    const records = all.filter((e) => !AROUND_FAULTS.has(e.event.kind));
    const faults = records.length > 0 ? records : all;
    if (faults.length === 0) return;
    const byDevice = new Map<string, { evidence: Evidence[]; reasons: Set<string>; meaning: string; count: number }>();
    for (const f of faults) {
      const dev = deviceOf(ctx, (f.event.fields['requester'] as string | null | undefined) ?? (f.event.fields['faultingDevice'] as string | null | undefined) ?? f.event.device) ?? '';
      const entry = byDevice.get(dev) ?? { evidence: [], reasons: new Set<string>(), meaning: f.event.meaning, count: 0 };
      entry.count++;
      if (entry.evidence.length < 4) entry.evidence.push(f.evidence);
      const reason = f.event.fields['reason'] ?? f.event.fields['event'];
      if (typeof reason === 'string') entry.reasons.add(reason);
      byDevice.set(dev, entry);
    }
    const haveTargets = ctx.targets.length > 0;
    for (const [dev, f] of byDevice) {
      const known = dev !== '';
      const target = known && ctx.isTarget(dev);
      // A fault on a host device while other devices are passed through is not the passthrough's failure.
      const severity = known && !target && haveTargets ? 'warn' : 'fail';
      out.report({
        cause: 'dma-fault',
        severity,
        subject: known ? dev : null,
        title: `${f.count} DMA fault${f.count > 1 ? 's' : ''} logged ${known ? `for ${dev}` : '(the line does not say for which device)'}${f.reasons.size ? `: ${[...f.reasons].join('; ')}` : ''}`,
        evidence: f.evidence,
        decision: `${f.meaning} Faults right at VM start point at device state left from before (reset problems) or at a function missing from the passthrough (a companion left on the host); faults on an integrated GPU point at its stolen-memory (GSM/BDSM) addresses, which the VMM must present to the guest; faults under load point at the device's driver or firmware. Do not hide them with iommu=pt or by turning the IOMMU off: they mean memory was about to be written where it must not be.`,
        commands: [known ? sh`dmesg | grep -i -e DMAR -e AMD-Vi -e 'fault' -e ${literalRegex(dev.slice(5))}` : "dmesg | grep -i -e DMAR -e AMD-Vi -e 'fault'"],
      });
    }
  },
};
