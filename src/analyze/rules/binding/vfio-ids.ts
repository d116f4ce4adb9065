import type { Rule } from '../../rule.js';
import { criticalDevices } from '../../critical-devices.js';
import { describeDevice, idSpecMatches } from '../../pci-facts.js';
import { deviceListComplete } from '../../evidence-scope.js';

export const vfioIds: Rule = {
  meta: {
    id: 'vfio-ids',
    layer: 'binding',
    title: 'Configured vfio-pci ids',
    causes: ['vfio-ids-mismatch'],
    description: 'Every configured vfio-pci id matches a device on this host, and none matches a device the host itself needs.',
  },
  check(ctx, out) {
    const critical = criticalDevices(ctx.snap, { display: false });
    for (const src of ctx.vfioIds) {
      for (const spec of src.ids) {
        const matches = ctx.snap.pci.filter((d) => idSpecMatches(spec, d));
        if (!/^[0-9a-fA-F]{1,8}:[0-9a-fA-F]{1,8}(:|$)/.test(spec)) {
          out.report({
            cause: 'vfio-ids-mismatch',
            severity: 'fail',
            title: `vfio-pci id "${spec}" is not in the vendor:device form`,
            evidence: [src.evidence],
            decision: 'vfio-pci ignores the whole ids list when one entry cannot be parsed ("invalid id string"). Write each id as vvvv:dddd, comma-separated.',
          });
          continue;
        }
        if (matches.length === 0 && !deviceListComplete(ctx.snap)) {
          out.cannotCheck(null, `vfio-pci id ${spec} matches no device in the captured list, which may be partial`, 'lspci -nn');
          continue;
        }
        if (matches.length === 0) {
          out.report({
            cause: 'vfio-ids-mismatch',
            severity: 'warn',
            title: `vfio-pci id ${spec} matches no device on this host`,
            evidence: [src.evidence],
            decision: 'Either the device moved to another model or revision (a card swap, a firmware update that changed the id), or the id has a typo. Compare with "lspci -nn" and correct it; a wrong id silently leaves the real device to its host driver.',
          });
          continue;
        }
        for (const d of matches.filter((m) => critical.has(m.address))) {
          out.report({
            cause: 'vfio-ids-mismatch',
            severity: 'fail',
            subject: d.address,
            title: `vfio-pci id ${spec} also matches ${describeDevice(d)}, which ${critical.get(d.address)}`,
            evidence: [src.evidence, { source: 'host', text: `${d.address} ${critical.get(d.address)}` }],
            decision: 'An id matches every device of that model: identical NICs or NVMe drives are all taken from the host. Bind by address instead: set driver_override for the one function you pass through (a udev rule or driverctl: "driverctl set-override 0000:BB:DD.F vfio-pci"), and drop the id from the list.',
          });
        }
      }
    }
  },
};
