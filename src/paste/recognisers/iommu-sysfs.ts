// Listings of /sys/kernel/iommu_groups by hand, which only the command line explains:
//   $ ls /sys/kernel/iommu_groups/6/devices/        -> 0000:86:00.0  0000:86:00.1
//   $ ls -l /sys/kernel/iommu_groups/6/devices/     -> ... 0000:86:00.0 -> ../../../../devices/pci0000:80/0000:80:03.0/0000:86:00.0
//   $ ls /sys/kernel/iommu_groups                   -> 0 1 10 11 ... (the groups exist)
//   $ readlink /sys/bus/pci/devices/0000:01:00.0/iommu_group -> ../../../../kernel/iommu_groups/1
import { whereText, type Recogniser } from '../types.js';
import { ADDR, addr } from './common.js';

const GROUP_DIR = /^ls\b.*\/sys\/kernel\/iommu_groups\/(\d+)(?:\/devices)?\/?\s*$/;
const GROUPS_DIR = /^ls\b(?:\s+-\S+)*\s+\/sys\/kernel\/iommu_groups\/?\s*$/;
const READLINK = new RegExp(`^readlink\\b.*\\/sys\\/bus\\/pci\\/devices\\/(${ADDR})\\/iommu_group\\s*$`);
const ADDRS = new RegExp(`^(?:${ADDR})(?:\\s+(?:${ADDR}))*$`);
const LONG = new RegExp(`^l[rwx-]{9}\\S*\\s.*\\s(${ADDR}) -> (\\S+)$`);

export const iommuSysfs: Recogniser = {
  id: 'iommu-sysfs',
  label: 'ls / readlink of /sys/kernel/iommu_groups (with the command shown)',
  commands: /\/sys\/kernel\/iommu_groups|iommu_group\b/,
  match(lines, at, ctx) {
    const cmd = ctx.command ?? '';
    const t = lines[at]!.text.trim();
    const group = GROUP_DIR.exec(cmd);
    if (group) {
      const g = Number(group[1]);
      let i = at;
      const members: { address: string; path: string | null }[] = [];
      while (i < lines.length) {
        const s = lines[i]!.text.trim();
        if (/^total \d+$/.test(s)) {
          i++;
          continue;
        }
        const long = LONG.exec(s);
        if (long && addr(long[1]!)) members.push({ address: addr(long[1]!)!, path: long[2]! });
        else if (ADDRS.test(s)) for (const a of s.split(/\s+/)) members.push({ address: addr(a)!, path: null });
        else break;
        i++;
      }
      if (members.length === 0) return null;
      return {
        length: i - at,
        apply(facts, where) {
          const w = whereText(where);
          for (const m of members) {
            facts.addToGroup(g, m.address);
            const d = facts.device(m.address, w);
            // The link target is the device's sysfs path: the bridges above it are in it.
            if (m.path) d.upstream = m.path.split('/').map((c) => addr(c)).filter((a): a is string => a !== null && a !== m.address);
          }
          facts.note('sys/kernel/iommu_groups', w, `group ${g} listed`);
        },
      };
    }
    if (GROUPS_DIR.test(cmd) && /^\d+(\s+\d+)*$/.test(t)) {
      let i = at;
      const ids: number[] = [];
      while (i < lines.length && /^\d+(\s+\d+)*$/.test(lines[i]!.text.trim())) ids.push(...lines[i++]!.text.trim().split(/\s+/).map(Number));
      return {
        length: i - at,
        apply(facts, where) {
          for (const id of ids) facts.groupIds.add(id);
          facts.note('iommu-group-ids', whereText(where), `${ids.length} groups exist`);
        },
      };
    }
    const rl = READLINK.exec(cmd);
    const target = /iommu_groups\/(\d+)\/?$/.exec(t);
    if (rl && target && addr(rl[1]!)) {
      const a = addr(rl[1]!)!;
      return {
        length: 1,
        apply(facts, where) {
          facts.device(a, whereText(where)).iommuGroup = Number(target[1]);
          facts.groupIds.add(Number(target[1]));
        },
      };
    }
    return null;
  },
};
