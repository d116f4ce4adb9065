import type { Rule } from '../../rule.js';
import { analyseRace, runtimeRebind } from '../../binding-fix.js';
import { describeDevice, vfioDriver } from '../../pci-facts.js';

export const hostDriverBound: Rule = {
  meta: {
    id: 'host-driver-bound',
    layer: 'binding',
    title: 'Targets owned by vfio-pci',
    causes: ['host-driver-bound'],
    description: 'Every target function is owned by vfio-pci, not by a host driver; driver_override does not name another driver.',
  },
  check(ctx, out) {
    for (const t of ctx.targets.filter((x) => x.role === 'target')) {
      const d = ctx.device(t.address);
      if (!d) {
        out.cannotCheck(t.address, 'no such PCI function on this host', 'lspci -nnk -D');
        continue;
      }
      const overrideOther = d.driverOverride !== null && !vfioDriver(d.driverOverride);
      if (vfioDriver(d.driver) && !overrideOther) continue;
      if (d.driver === null && !overrideOther) {
        // libvirt's managed mode binds vfio-pci at VM start; an unbound function is not wrong.
        continue;
      }
      const race = analyseRace(ctx, [d]);
      const evidence = [{ source: `/sys/bus/pci/devices/${d.address}/driver`, text: `-> ${d.driver ?? 'none'}` }, ...race.evidence];
      if (overrideOther) evidence.push({ source: `/sys/bus/pci/devices/${d.address}/driver_override`, text: d.driverOverride! });
      if (d.driver === 'pci-stub') {
        out.report({
          cause: 'host-driver-bound',
          severity: 'warn',
          subject: d.address,
          title: `${describeDevice(d)} is held by pci-stub, not vfio-pci`,
          evidence,
          decision: 'pci-stub keeps host drivers away, but QEMU/libvirt need vfio-pci to assign the device (libvirt managed mode rebinds it at start). Bind it to vfio-pci directly.',
          commands: race.commands,
        });
        continue;
      }
      out.report({
        cause: 'host-driver-bound',
        severity: 'fail',
        subject: d.address,
        title: `${describeDevice(d)} is owned by ${d.driver ?? `driver_override=${d.driverOverride}`}, not vfio-pci`,
        evidence,
        decision: `The host driver won the race at boot: ${race.reasons.join('; ') || 'vfio-pci was configured but lost'}. Fix binding before touching groups or the VM. To test now without a reboot (stop whatever uses the device first): ${runtimeRebind([d.address]).join(' && ')}. The persistent fix:`,
        commands: race.commands,
      });
    }
  },
};
