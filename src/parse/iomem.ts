import type { IomemEntry } from '../snapshot/types.js';
import { isFullFunctionAddress } from '../pci/address.js';

/** All /proc/iomem entries, nesting given by the two-space indent the kernel prints per level. */
export function parseIomem(text: string): IomemEntry[] {
  const out: IomemEntry[] = [];
  const stack: IomemEntry[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^( *)([0-9a-fA-F]+)-([0-9a-fA-F]+) : (.*)$/.exec(line);
    if (!m) continue;
    const depth = Math.floor(m[1]!.length / 2);
    stack.length = depth;
    const name = m[4]!.trim();
    const parentDevice = stack.slice().reverse().find((e) => e.device !== null)?.device ?? null;
    const entry: IomemEntry = {
      start: m[2]!.toLowerCase(),
      end: m[3]!.toLowerCase(),
      name,
      depth,
      device: isFullFunctionAddress(name) ? name : parentDevice,
    };
    stack[depth] = entry;
    out.push(entry);
  }
  return out;
}

/** Keep only what lies inside PCI device ranges: the part a BAR-conflict diagnosis needs. */
export function pciIomem(entries: IomemEntry[]): IomemEntry[] {
  return entries.filter((e) => e.device !== null);
}
