import type { Rule } from '../../rule.js';
import { analyseRace } from '../../binding-fix.js';
import { describeDevice, vfioCompatibleDriver } from '../../pci-facts.js';

export const companionNotBound: Rule = {
  meta: {
    id: 'companion-not-bound',
    layer: 'binding',
    title: 'Companion functions bound with the target',
    causes: ['companion-not-bound'],
    description: "A target's companion functions (same slot: GPU audio, USB-C controller, sibling functions in its group) are not held by host drivers.",
  },
  check(ctx, out) {
    for (const t of ctx.targets.filter((x) => x.role === 'companion')) {
      const d = ctx.device(t.address);
      if (!d || vfioCompatibleDriver(d.driver)) continue;
      const race = analyseRace(ctx, [d]);
      out.report({
        cause: 'companion-not-bound',
        severity: 'fail',
        subject: d.address,
        title: `${describeDevice(d)}, companion of ${t.companionOf}, is owned by ${d.driver}`,
        evidence: [{ source: `/sys/bus/pci/devices/${d.address}/driver`, text: `-> ${d.driver}` }, ...race.evidence],
        decision: `Pass the whole device: bind this function to vfio-pci together with ${t.companionOf}. Left on the host, it keeps the group from being viable ("group N is not viable"), can hang detach (snd_hda_intel) and breaks resets. ${race.reasons.join('; ')}.`,
        commands: race.commands,
      });
    }
  },
};
