// ls -l /dev/vfio (and /dev/vfio/devices, /dev/kvm, /dev/iommu): node type, mode and owner as ls prints
// them ("crw-rw---- 1 root kvm 10, 196 Feb  4 10:20 vfio"), and ls's own word when the directory is not
// there. ls shows names, not ids: root is 0; other owners keep their name with 65534 (the overflow id) as
// the id, which the paste does not give.
import type { DevNode } from '../../snapshot/types.js';
import { whereText, type Recogniser } from '../types.js';

const LONG = /^([cbdl-])([rwxsStT-]{9})[.+@]?\s+\d+\s+(\S+)\s+(\S+)\s+(?:\d+,\s*\d+|\d+)\s+(?:\w{3}\s+\d+|\d{4}-\d\d-\d\d)\s+[\d:.]+(?:\s+[+-]\d{4})?\s+(.+)$/;
const MISSING = /^ls: cannot access '?(\/dev\/(?:vfio(?:\/devices)?|kvm|iommu))\/?'?: No such file or directory$/;
const UNKNOWN_ID = 65534;

export function modeOf(perm: string): string {
  let bits = 0;
  for (let i = 0; i < 9; i++) if (!'-ST'.includes(perm[i]!)) bits |= 1 << (8 - i);
  return '0' + bits.toString(8).padStart(3, '0');
}

function dirOf(command: string | null): string {
  const m = command ? /(\/dev\/vfio(?:\/devices)?|\/dev)\/?(?:\s|$)/.exec(command) : null;
  return m ? m[1]! : '/dev/vfio';
}

export const devVfio: Recogniser = {
  id: 'dev-vfio',
  label: 'ls -l /dev/vfio (device nodes and permissions)',
  commands: /^(?:ls|stat|getfacl)\b.*\/dev\/(?:vfio|kvm|iommu)/,
  match(lines, at, ctx) {
    const t = lines[at]!.text.trim();
    const missing = MISSING.exec(t);
    if (missing) {
      return {
        length: 1,
        apply(facts, where) {
          const p = missing[1]!;
          const id = p === '/dev/vfio' ? 'dev/vfio' : p === '/dev/vfio/devices' ? 'dev/vfio/devices' : p.slice(1);
          facts.sources[id] = { status: 'absent', path: p, message: `the host says it does not exist (${whereText(where)})` };
        },
      };
    }
    const hinted = ctx.command !== null && /\/dev\/(vfio|kvm|iommu)/.test(ctx.command);
    const nodeLine = (s: string) => {
      const m = LONG.exec(s);
      return m && (hinted || /(?:^|\/)(?:vfio|\d+|kvm|iommu|vfio\d+)$/.test(m[5]!) && /\/dev\/|^(?:vfio|\d+)$/.test(m[5]!)) ? m : null;
    };
    if (!(/^total \d+$/.test(t) && hinted) && !nodeLine(t)) return null;
    let i = at;
    const nodes: RegExpExecArray[] = [];
    while (i < lines.length) {
      const s = lines[i]!.text.trim();
      if (/^total \d+$/.test(s)) {
        i++;
        continue;
      }
      const m = nodeLine(s);
      if (!m) break;
      nodes.push(m);
      i++;
    }
    if (nodes.length === 0 && !hinted) return null;
    return {
      length: i - at,
      apply(facts, where) {
        const dir = dirOf(ctx.command);
        const vfio: DevNode[] = [];
        const cdevs: DevNode[] = [];
        for (const m of nodes) {
          const name = m[5]!.replace(/ -> .*$/, '');
          const path = name.startsWith('/') ? name : `${dir}/${name}`;
          const type = m[1] === 'c' ? 'char' : m[1] === 'b' ? 'block' : m[1] === 'd' ? 'dir' : 'other';
          const idOf = (n: string) => (n === 'root' ? 0 : /^\d+$/.test(n) ? Number(n) : UNKNOWN_ID);
          const node: DevNode = { path, type, mode: modeOf(m[2]!), uid: idOf(m[3]!), gid: idOf(m[4]!), owner: /^\d+$/.test(m[3]!) ? null : m[3]!, group: /^\d+$/.test(m[4]!) ? null : m[4]! };
          if (path === '/dev/kvm') facts.kvmNode = node;
          else if (path === '/dev/iommu') facts.iommuNode = node;
          else if (path.startsWith('/dev/vfio/devices/')) cdevs.push(node);
          else if (path.startsWith('/dev/vfio/') && type !== 'dir') vfio.push(node);
        }
        const w = whereText(where);
        if (vfio.length > 0 || dir === '/dev/vfio') {
          facts.vfioNodes = [...(facts.vfioNodes ?? []).filter((n) => !vfio.some((v) => v.path === n.path)), ...vfio];
          facts.note('dev/vfio', w);
        }
        if (cdevs.length > 0 || dir === '/dev/vfio/devices') {
          facts.vfioDeviceNodes = [...(facts.vfioDeviceNodes ?? []), ...cdevs];
          facts.note('dev/vfio/devices', w);
        }
      },
    };
  },
};
