import type { InterruptsInfo } from '../snapshot/types.js';

// /proc/interrupts rows for numbered IRQs: "  24:  0  0  IR-PCI-MSI-0000:00:14.0  0-edge  xhci_hcd".
// The chip name is the first column after the per-CPU counters.
export function parseInterrupts(text: string): InterruptsInfo {
  const lines = text.split(/\r?\n/);
  const cpus = (lines[0] ?? '').trim().split(/\s+/).filter((w) => /^CPU\d+$/.test(w)).length;
  const chips = new Set<string>();
  for (const line of lines.slice(1)) {
    const m = /^\s*(\d+):\s+(.*)$/.exec(line);
    if (!m) continue;
    const words = m[2]!.trim().split(/\s+/);
    let i = 0;
    while (i < words.length && i < cpus && /^\d+$/.test(words[i]!)) i++;
    const chip = words[i];
    if (chip && !/^\d+$/.test(chip)) chips.add(chip);
  }
  const list = [...chips].sort();
  return { chips: list, remapped: list.some((c) => c.startsWith('IR-')) };
}
