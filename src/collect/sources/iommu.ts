import type { IommuGroup, IommuInfo, IommuUnit, PciDevice, ReservedRegion } from '../../snapshot/types.js';
import { decodeIntelIommu } from '../../iommu/intel-cap.js';
import { decodeAmdIommu } from '../../iommu/amd-features.js';
import { note, type CollectContext } from '../context.js';

function collectUnits(ctx: CollectContext): { present: boolean | null; units: IommuUnit[] } {
  const dir = ctx.fs.readDir('/sys/class/iommu');
  note(ctx, 'sys/class/iommu', dir.record);
  if (!dir.ok) return { present: dir.record.status === 'absent' ? false : null, units: [] };
  const units: IommuUnit[] = dir.value.map((name) => {
    const base = `/sys/class/iommu/${name}`;
    const intel = ctx.fs.isDir(`${base}/intel-iommu`);
    const amd = ctx.fs.isDir(`${base}/amd-iommu`);
    const cap = ctx.fs.readAttr(`${base}/${intel ? 'intel-iommu' : 'amd-iommu'}/cap`);
    const ecap = intel ? ctx.fs.readAttr(`${base}/intel-iommu/ecap`) : null;
    const features = amd ? ctx.fs.readAttr(`${base}/amd-iommu/features`) : null;
    return {
      name,
      kind: intel ? 'intel' : amd ? 'amd' : 'other',
      cap: intel || amd ? cap : null,
      ecap,
      version: intel ? ctx.fs.readAttr(`${base}/intel-iommu/version`) : null,
      features,
      intel: intel ? decodeIntelIommu(cap, ecap) : null,
      amd: amd ? decodeAmdIommu(features) : null,
    };
  });
  return { present: units.length > 0, units };
}

export function parseReservedRegions(text: string): ReservedRegion[] {
  const out: ReservedRegion[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 3 && /^(0x)?[0-9a-f]+$/i.test(f[0]!)) out.push({ start: f[0]!, end: f[1]!, type: f[2]! });
  }
  return out;
}

function collectGroups(ctx: CollectContext, pci: PciDevice[]): IommuGroup[] | null {
  const dir = ctx.fs.readDir('/sys/kernel/iommu_groups');
  note(ctx, 'sys/kernel/iommu_groups', dir.record);
  if (!dir.ok) return null;
  const groups: IommuGroup[] = [];
  for (const name of dir.value) {
    if (!/^\d+$/.test(name)) continue;
    const base = `/sys/kernel/iommu_groups/${name}`;
    const rr = ctx.fs.readText(`${base}/reserved_regions`);
    const members = ctx.fs.readDir(`${base}/devices`);
    let devices: string[];
    if (members.ok) devices = members.value;
    else {
      // An unreadable group is not an empty one (that would pass any isolation check): say it could not
      // be listed, and take its members from each function's own iommu_group link.
      note(ctx, `iommu-group:${name}`, members.record);
      devices = pci.filter((d) => d.iommuGroup === Number(name)).map((d) => d.address);
    }
    groups.push({
      id: Number(name),
      devices,
      type: ctx.fs.readAttr(`${base}/type`),
      reservedRegions: rr.ok ? parseReservedRegions(rr.value) : null,
    });
  }
  return groups.sort((a, b) => a.id - b.id);
}

export function collectIommu(ctx: CollectContext, pci: PciDevice[]): IommuInfo {
  const { present, units } = collectUnits(ctx);
  return { classPresent: present, units, groups: collectGroups(ctx, pci) };
}
