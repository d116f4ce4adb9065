import type { InterruptsInfo, IomemEntry } from '../../snapshot/types.js';
import { parseIomem, pciIomem } from '../../parse/iomem.js';
import { parseInterrupts } from '../../parse/interrupts.js';
import { note, type CollectContext } from '../context.js';

/** /proc/iomem entries under PCI devices (non-root readers see all-zero addresses). */
export function collectIomem(ctx: CollectContext): IomemEntry[] | null {
  const r = ctx.fs.readText('/proc/iomem', 8 << 20);
  note(ctx, 'proc/iomem', r.record);
  if (!r.ok) return null;
  const entries = parseIomem(r.value);
  if (entries.length > 0 && entries.every((e) => /^0+$/.test(e.start) && /^0+$/.test(e.end))) {
    note(ctx, 'proc/iomem', { status: 'read', path: '/proc/iomem', message: 'addresses hidden (not root): nesting is still usable' });
  }
  return pciIomem(entries);
}

export function collectInterrupts(ctx: CollectContext): InterruptsInfo | null {
  const r = ctx.fs.readText('/proc/interrupts', 8 << 20);
  note(ctx, 'proc/interrupts', r.record);
  return r.ok ? parseInterrupts(r.value) : null;
}
