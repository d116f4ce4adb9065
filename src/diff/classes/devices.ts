import type { PciDevice } from '../../snapshot/types.js';
import { isBridge } from '../../analyze/pci-facts.js';
import { change, label, type ChangeClass } from './class.js';

// Functions that vanished, turned up, or sit at a new address. A target at a new address breaks every
// VM definition that names the old one (hostpci, <hostdev>), so that is a regression even though the
// device itself is fine.

function ids(d: PciDevice): string {
  return `[${d.vendorId}:${d.deviceId}${d.subsystemVendorId ? ` subsystem ${d.subsystemVendorId}:${d.subsystemDeviceId ?? '?'}` : ''}]`;
}

export const devices: ChangeClass = {
  meta: {
    id: 'devices',
    layer: 'device',
    causes: [],
    title: 'Devices',
    description: 'Functions matched by address and ids: moved, gone or new.',
    reports: ['device-moved', 'device-disappeared', 'device-appeared'],
  },
  compare(ctx, out) {
    const readA = ctx.a.snap.sources['sys/bus/pci/devices']?.status;
    const readB = ctx.b.snap.sources['sys/bus/pci/devices']?.status;
    // An unread PCI tree on one side would make every device look gone or new.
    if ((readA !== undefined && readA !== 'read') || (readB !== undefined && readB !== 'read')) {
      out.note(`devices not compared: the PCI device list was not read in the ${readA !== 'read' ? 'earlier' : 'later'} snapshot`);
      return;
    }
    for (const m of ctx.moved) {
      const da = ctx.a.byAddress.get(m.from)!;
      const db = ctx.b.byAddress.get(m.to)!;
      const target = ctx.isTargetA(m.from) || ctx.isTargetB(m.to);
      out.add(
        change('device-moved', 'device', target ? 'regression' : 'neutral', `${label(db, m.to)} moved from ${m.from} to ${m.to}${target ? ': VM configurations naming the old address no longer find it' : ''}`, [
          { what: `address of ${ids(db)}`, before: m.from, after: m.to, source: '/sys/bus/pci/devices' },
          ...(da.driver !== db.driver ? [{ what: 'driver', before: da.driver, after: db.driver }] : []),
        ], { subject: m.to }),
      );
    }
    for (const x of ctx.disappeared) {
      const d = ctx.a.byAddress.get(x)!;
      // Bridges come and go with the devices under them; the endpoints carry the meaning.
      if (isBridge(d)) continue;
      const target = ctx.isTargetA(x);
      out.add(
        change('device-disappeared', 'device', target ? 'regression' : 'neutral', `${label(d, x)} is gone${target ? ' (a passthrough target)' : ''}`, [
          { what: `${x} ${ids(d)}`, before: `present, driver ${d.driver ?? 'none'}`, after: null, source: '/sys/bus/pci/devices' },
        ], { subject: x }),
      );
    }
    for (const y of ctx.appeared) {
      const d = ctx.b.byAddress.get(y)!;
      if (isBridge(d)) continue;
      const target = ctx.isTargetB(y);
      out.add(
        change('device-appeared', 'device', target ? 'improvement' : 'neutral', `${label(d, y)} appeared${target ? ' (a passthrough target)' : ''}`, [
          { what: `${y} ${ids(d)}`, before: null, after: `present, driver ${d.driver ?? 'none'}`, source: '/sys/bus/pci/devices' },
        ], { subject: y }),
      );
    }
  },
};
