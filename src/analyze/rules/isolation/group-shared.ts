import type { Rule } from '../../rule.js';
import { criticalDevices } from '../../critical-devices.js';
import type { Evidence } from '../../finding.js';
import { judgeAcs } from '../../acs.js';
import { describeDevice, isBridge, vfioCompatibleDriver } from '../../pci-facts.js';

export const groupShared: Rule = {
  meta: {
    id: 'group-shared',
    layer: 'isolation',
    title: 'Target shares its IOMMU group',
    causes: ['group-shared'],
    description: "Each target's IOMMU group holds only the target, its companions and bridges; never a device the host needs.",
  },
  check(ctx, out) {
    if (ctx.iommuActive !== true) return;
    const critical = criticalDevices(ctx.snap);
    const seen = new Set<number>();
    for (const t of ctx.targets) {
      const d = ctx.device(t.address);
      if (!d || d.iommuGroup === null || seen.has(d.iommuGroup)) continue;
      seen.add(d.iommuGroup);
      const group = ctx.snap.iommu.groups?.find((g) => g.id === d.iommuGroup);
      const members = (group?.devices ?? ctx.snap.pci.filter((x) => x.iommuGroup === d.iommuGroup).map((x) => x.address))
        .map((a) => ctx.device(a))
        .filter((x) => x !== undefined);
      const extra = members.filter((m) => !ctx.isTarget(m.address) && !isBridge(m));
      if (extra.length === 0) continue;
      const crit = extra.filter((m) => critical.has(m.address));
      const hostOwned = extra.filter((m) => !vfioCompatibleDriver(m.driver));
      const evidence: Evidence[] = [
        { source: `/sys/kernel/iommu_groups/${d.iommuGroup}/devices`, text: members.map((m) => m.address).join(' ') },
        ...extra.map((m) => ({ source: `/sys/bus/pci/devices/${m.address}`, text: `${describeDevice(m)}, driver ${m.driver ?? 'none'}${critical.has(m.address) ? `, ${critical.get(m.address)}` : ''}` })),
      ];
      // Which link of the path lets the group grow: bridges above the target without ACS.
      const culprits: string[] = [];
      for (const a of [...d.upstream].reverse()) {
        const b = ctx.device(a);
        if (!b) continue;
        const j = judgeAcs(b);
        if (j.isolates === false) culprits.push(`${describeDevice(b)}: ${j.why}`);
      }
      const own = judgeAcs(d);
      if (d.multifunction && own.isolates === false) culprits.push(`${d.address} itself is multifunction: ${own.why}`);
      for (const c of culprits) evidence.push({ source: 'ACS', text: c });
      const severe = crit.length > 0 || hostOwned.length > 0;
      out.report({
        cause: 'group-shared',
        severity: severe ? 'fail' : 'warn',
        subject: d.address,
        title: crit.length
          ? `Group ${d.iommuGroup} of ${d.address} also holds ${crit.map((m) => m.address).join(', ')}, which the host needs`
          : `Group ${d.iommuGroup} of ${d.address} also holds ${extra.map((m) => m.address).join(', ')}`,
        evidence,
        decision:
          (hostOwned.length
            ? `The group is not viable while ${hostOwned.map((m) => `${m.address} (${m.driver})`).join(', ')} stay on host drivers ("group is not viable"). `
            : 'Every device of the group goes to the same VM (or stays unused). ') +
          (culprits.length ? `The group is this large because ${culprits[0]}. ` : '') +
          'Move the card to a slot on another root port (one with ACS, or CPU-attached lanes), look for ACS / "PCIe ARI" options in the BIOS, or pass the whole group. ACS override (pcie_acs_override) only makes the kernel pretend: never on a host with other tenants.',
      });
    }
  },
};
