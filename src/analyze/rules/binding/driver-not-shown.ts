import type { Rule } from '../../rule.js';
import { originWords } from '../evidence-events.js';
import { sh } from '../../shell.js';

// host-driver-bound reads "no driver" as unbound, which on a host is a fact. Captured output often does not
// say which driver holds a device at all (lspci without -k, a group listing): that is not "unbound", and
// the binding layer stays open until it is shown.
export const driverNotShown: Rule = {
  meta: {
    id: 'driver-not-shown',
    layer: 'binding',
    title: 'Drivers not shown in captured data',
    causes: [],
    description: 'For captured data: every target and companion has its driver shown; otherwise the binding layer is left undetermined with the command that shows it.',
  },
  check(ctx, out) {
    for (const t of ctx.targets) {
      const d = ctx.device(t.address);
      if (!d || d.driver !== null) continue;
      const src = ctx.snap.sources[`pci:${d.address}:driver`];
      if (src?.status !== 'absent') continue;
      out.cannotCheck(d.address, `which driver owns ${d.address}${t.role === 'companion' ? ` (companion of ${t.companionOf})` : ''} is not in ${originWords(ctx.snap)}`, sh`lspci -nnk -s ${d.address}`);
    }
  },
};
