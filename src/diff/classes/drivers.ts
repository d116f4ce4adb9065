import { vfioDriver } from '../../analyze/pci-facts.js';
import type { ChangeKind } from '../types.js';
import { change, label, type ChangeClass } from './class.js';

// Who owns each function. For a target, ownership has an order: vfio-pci (ready) above no driver or
// pci-stub (harmless, but not ready) above a host driver (the host holds the device). Moving down is a
// regression; moving up an improvement. Other functions changing driver is shown, without judgement.

function rank(driver: string | null): number {
  if (vfioDriver(driver)) return 2;
  if (driver === null || driver === 'pci-stub') return 1;
  return 0;
}

export const drivers: ChangeClass = {
  meta: {
    id: 'drivers',
    layer: 'binding',
    causes: ['host-driver-bound', 'companion-not-bound'],
    title: 'Driver binding',
    description: 'Which driver owns each function, ranked vfio-pci over none or pci-stub over a host driver, and a vfio-pci driver_override.',
    reports: ['driver-changed'],
  },
  compare(ctx, out) {
    for (let i = 0; i < ctx.matchedA.length; i++) {
      const da = ctx.matchedA[i]!;
      const db = ctx.matchedB[i]!;
      const overrideChanged = da.driverOverride !== db.driverOverride;
      if (da.driver === db.driver && !overrideChanged) continue;
      const x = da.address;
      const y = db.address;
      const target = ctx.isTargetA(x) || ctx.isTargetB(y);
      let kind: ChangeKind = 'neutral';
      if (target) {
        const delta = rank(db.driver) - rank(da.driver);
        kind = delta < 0 ? 'regression' : delta > 0 ? 'improvement' : 'neutral';
        // Losing a vfio-pci driver_override means the next rebind goes to the host driver.
        if (kind === 'neutral' && vfioDriver(da.driverOverride) && !vfioDriver(db.driverOverride)) kind = 'regression';
      }
      const evidence = [];
      if (da.driver !== db.driver) evidence.push({ what: 'driver in use', before: da.driver, after: db.driver, source: `/sys/bus/pci/devices/${y}/driver` });
      if (overrideChanged) evidence.push({ what: 'driver_override', before: da.driverOverride, after: db.driverOverride, source: `/sys/bus/pci/devices/${y}/driver_override` });
      const what = da.driver !== db.driver ? `driver ${da.driver ?? 'none'} → ${db.driver ?? 'none'}` : `driver_override ${da.driverOverride ?? 'none'} → ${db.driverOverride ?? 'none'}`;
      const hostClaimed = kind === 'regression' && db.driver !== null && rank(db.driver) === 0;
      const role = ctx.b.analysis.targets.find((t) => t.address === y)?.role ?? ctx.a.analysis.targets.find((t) => t.address === x)?.role;
      out.add(
        change('driver-changed', 'binding', kind, `${label(db, y)}${target ? ' (target)' : ''}: ${what}`, evidence, {
          subject: y,
          cause: hostClaimed ? (role === 'companion' ? 'companion-not-bound' : 'host-driver-bound') : null,
        }),
      );
    }
  },
};
