// IOMMU group listings in the forms the common scripts print them:
//   IOMMU Group 34 02:00.0 VGA compatible controller [0300]: ... [10de:1b81] (rev a1)   (Arch wiki loop, ls-iommu)
//   IOMMU Group 1:  / IOMMU group 7 / Group 2 / ### Group 4 ###  followed by member lines (lspci titles or addresses)
//   IOMMU Group: 50 / Group Device: 0000:97:00.4 - <lspci title>
//   /sys/kernel/iommu_groups/7/devices/0000:00:1b.0                                      (find -type l)
// A listing names every member of the groups it shows, so those groups are complete.
import { whereText, type InputLine, type Recogniser } from '../types.js';
import { DRIVER_FROM, type PasteFacts } from '../facts.js';
import { ADDR, addr, isBlank, seeDevice } from './common.js';
import { parseLspciTitle } from './lspci.js';

const INLINE = /^(?:IOM+U|iommu)\s+[Gg]roup:?\s+(\d+):?\s+(.*)$/;
const HEADER = /^(?:#+\s*)?(?:IOM+U\s+)?[Gg]roup:?\s+(\d+):?\s*(?:#+)?$/;
const FIND_PATH = new RegExp(`^/sys/kernel/iommu_groups/(\\d+)/devices/(${ADDR})$`);
const BARE_ADDR = new RegExp(`^(${ADDR})(?:\\s.*)?$`);

interface Member {
  group: number;
  address: string;
  line: InputLine;
  details: string[];
}

/** A member line: an lspci title (optionally after "Group Device: " or "- ") or an address. */
function memberAddress(text: string): { address: string; title: ReturnType<typeof parseLspciTitle> } | null {
  const t = text.trim().replace(/^Group Device:\s*/, '').replace(/^(\S+) - /, '$1 ');
  const title = parseLspciTitle(t);
  if (title) return { address: title.address, title };
  const m = BARE_ADDR.exec(t);
  const a = m ? addr(m[1]!) : null;
  return a ? { address: a, title: null } : null;
}

function record(facts: PasteFacts, where: string, members: Member[]): void {
  for (const m of members) {
    facts.addToGroup(m.group, m.address);
    const found = memberAddress(m.line.text);
    const t = found?.title;
    if (t) seeDevice(facts, m.address, where, { vendorId: t.vendorId, deviceId: t.deviceId, classCode: t.classCode ? t.classCode + (t.progIf ?? '') : null, revision: t.revision, className: t.className, deviceName: t.name });
    else facts.device(m.address, where);
    const drv = m.details.map((d) => /^Kernel driver in use: (\S+)/.exec(d.trim())?.[1]).find(Boolean);
    if (m.details.some((d) => /^Kernel (driver in use|modules):/.test(d.trim()))) facts.setDriver(m.address, drv ?? null, DRIVER_FROM.lspci, where);
  }
  facts.note('sys/kernel/iommu_groups', where, 'group listing');
}

function indentedAfter(lines: readonly InputLine[], i: number): number {
  let k = i + 1;
  while (k < lines.length && /^[ \t]+\S/.test(lines[k]!.text) && /^\s*(Kernel driver in use|Kernel modules|Subsystem):/.test(lines[k]!.text)) k++;
  return k - i - 1;
}

export const iommuGroups: Recogniser = {
  id: 'iommu-groups',
  label: 'IOMMU group listings (wiki loops, ls-iommu, find /sys/kernel/iommu_groups)',
  commands: /iommu_groups|ls-iommu|iommu.*\.sh/,
  match(lines, at) {
    const text = lines[at]!.text.trim();
    const members: Member[] = [];
    let i = at;
    if (INLINE.test(text) || FIND_PATH.test(text)) {
      while (i < lines.length) {
        const t = lines[i]!.text.trim();
        if (t === '') {
          i++;
          continue;
        }
        const inline = INLINE.exec(t);
        const found = inline ? memberAddress(inline[2]!) : null;
        const f = FIND_PATH.exec(t);
        if (inline && found) {
          const extra = indentedAfter(lines, i);
          members.push({ group: Number(inline[1]), address: found.address, line: { ...lines[i]!, text: inline[2]! }, details: lines.slice(i + 1, i + 1 + extra).map((l) => l.text) });
          i += 1 + extra;
        } else if (f && addr(f[2]!)) {
          members.push({ group: Number(f[1]), address: addr(f[2]!)!, line: lines[i]!, details: [] });
          i++;
        } else break;
      }
    } else if (HEADER.test(text)) {
      let group: number | null = null;
      while (i < lines.length) {
        const l = lines[i]!;
        const t = l.text.trim();
        if (t === '') {
          i++;
          continue;
        }
        const h = HEADER.exec(t);
        if (h) {
          group = Number(h[1]);
          i++;
          continue;
        }
        const found = group === null ? null : memberAddress(t);
        if (!found) break;
        const extra = indentedAfter(lines, i);
        members.push({ group: group!, address: found.address, line: l, details: lines.slice(i + 1, i + 1 + extra).map((x) => x.text) });
        i += 1 + extra;
      }
      // A lone "Group 2" line with no members is not a listing.
      if (members.length === 0) return null;
    } else return null;
    while (i > at && isBlank(lines[i - 1])) i--;
    if (members.length === 0) return null;
    return { length: i - at, apply: (facts, where) => record(facts, whereText(where), members) };
  },
};
