import type { AnalysisContext } from './context.js';
import { criticalDevices } from './critical-devices.js';
import { describeDevice, isBridge, isChipsetFunction } from './pci-facts.js';

export interface GroupRow {
  id: number;
  devices: { address: string; description: string; driver: string | null; bridge: boolean }[];
  passable: boolean;
  why: string;
}

/** For every IOMMU group: could it be given to a VM as it stands, and if not, why. */
export function groupTable(ctx: AnalysisContext): GroupRow[] {
  const groups = ctx.snap.iommu.groups ?? [];
  const critical = criticalDevices(ctx.snap);
  return groups.map((g) => {
    const devices = g.devices.map((a) => {
      const d = ctx.device(a);
      return { address: a, description: d ? describeDevice(d) : a, driver: d?.driver ?? null, bridge: d ? isBridge(d) : false };
    });
    const endpoints = g.devices.map((a) => ctx.device(a)).filter((d) => d && !isBridge(d));
    let why = 'only this device (and bridges) in the group';
    let passable = true;
    const crit = g.devices.find((a) => critical.has(a));
    const chipset = endpoints.find((d) => d && isChipsetFunction(d));
    const direct = (g.reservedRegions ?? []).find((r) => r.type === 'direct');
    if (endpoints.length === 0) {
      passable = false;
      why = 'bridges only: nothing to pass through';
    } else if (crit) {
      passable = false;
      why = `${crit} ${critical.get(crit)}`;
    } else if (chipset) {
      passable = false;
      why = `chipset function ${chipset.address} (host bridge / ISA / SMBus) is in the group`;
    } else if (direct) {
      passable = false;
      why = `firmware direct-mapped region (RMRR/IVMD) ${direct.start}-${direct.end}`;
    } else if (endpoints.length > 1) {
      why = `${endpoints.length} devices must go together`;
    }
    return { id: g.id, devices, passable, why };
  });
}
