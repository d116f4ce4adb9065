// lspci -t / -tv: the bus tree. It gives every function's chain of bridges, which is what tells whether
// a device sits behind a switch or directly on a root port.
//   -[0000:00]-+-00.0  Intel Corporation Host Bridge
//              +-01.0-[01]--+-00.0  NVIDIA Corporation GP104
//              |            \-00.1  NVIDIA Corporation GP104 HD Audio
//              \-1c.0-[02]----00.0  Intel Corporation I211
// Siblings share the column of their connector ("+-", "\-", "--"); a bridge's bus marker opens a new
// column for its children on the same line.
import { whereText, type Recogniser } from '../types.js';

const ROOT = /\[([0-9a-fA-F]{4}):([0-9a-fA-F]{2})\]-/y;
const DEVICE = /([+\\-])-([0-9a-fA-F]{2})\.([0-7])(?:-\[([0-9a-fA-F]{2})(?:-[0-9a-fA-F]{2})?\]-)?/y;
// A root line ("-[0000:00]-", or "-+-[0000:00]-" when there are several root buses) or a branch line.
const FIRST_LINE = /^-(?:\+-)?\[[0-9a-fA-F]{4}:[0-9a-fA-F]{2}\]-/;
const TREE_LINE = /^[ |]*[+\\]-(?:[0-9a-fA-F]{2}\.[0-7]|\[[0-9a-fA-F]{4}:[0-9a-fA-F]{2}\])/;

interface Context {
  col: number | null;
  domain: string;
  bus: string;
  bridges: string[];
}

export interface TreeDevice {
  address: string;
  upstream: string[];
  name: string | null;
}

export function parseLspciTree(texts: string[]): TreeDevice[] {
  const out: TreeDevice[] = [];
  let stack: Context[] = [];
  for (const text of texts) {
    let pending: Context | null = null;
    let i = 0;
    while (i < text.length) {
      ROOT.lastIndex = i;
      const r = ROOT.exec(text);
      if (r) {
        pending = { col: null, domain: r[1]!.toLowerCase(), bus: r[2]!.toLowerCase(), bridges: [] };
        stack = [pending];
        i = ROOT.lastIndex;
        continue;
      }
      DEVICE.lastIndex = i;
      const d = DEVICE.exec(text);
      if (!d) {
        i++;
        continue;
      }
      let ctx: Context | undefined;
      if (pending && pending.col === null) {
        pending.col = i;
        ctx = pending;
      } else {
        const k = stack.findIndex((c) => c.col === i);
        ctx = k >= 0 ? stack[k] : undefined;
        if (k >= 0) stack = stack.slice(0, k + 1);
      }
      i = DEVICE.lastIndex;
      if (!ctx) continue;
      const address = `${ctx.domain}:${ctx.bus}:${d[2]!.toLowerCase()}.${d[3]}`;
      const name = d[4] === undefined ? /^\s{2}(\S.*)$/.exec(text.slice(i))?.[1]?.trim() ?? null : null;
      out.push({ address, upstream: ctx.bridges, name });
      if (d[4] !== undefined) {
        pending = { col: null, domain: ctx.domain, bus: d[4].toLowerCase(), bridges: [...ctx.bridges, address] };
        stack.push(pending);
      }
    }
  }
  return out;
}

export const lspciTree: Recogniser = {
  id: 'lspci-tree',
  label: 'lspci -t / -tv (bus tree)',
  commands: /^lspci\b.*\s-\w*t/,
  match(lines, at) {
    if (!FIRST_LINE.test(lines[at]!.text)) return null;
    let i = at + 1;
    // Several trees follow each other when lspci -t is given several domains.
    while (i < lines.length && (TREE_LINE.test(lines[i]!.text) || FIRST_LINE.test(lines[i]!.text))) i++;
    const texts = lines.slice(at, i).map((l) => l.text);
    return {
      length: i - at,
      apply(facts, where) {
        const w = whereText(where);
        for (const d of parseLspciTree(texts)) {
          const f = facts.device(d.address, w);
          f.upstream = d.upstream;
          if (d.name && !f.deviceName) f.deviceName = d.name;
        }
        facts.note('lspci-tree', w);
      },
    };
  },
};
