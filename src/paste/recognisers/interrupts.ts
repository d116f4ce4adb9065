// /proc/interrupts: the chip column says whether interrupt remapping is in use ("IR-PCI-MSI", "IR-IO-APIC").
import { parseInterrupts } from '../../parse/interrupts.js';
import { whereText, type Recogniser } from '../types.js';

const HEADER = /^\s*CPU0(?:\s+CPU\d+)*\s*$/;
const LINE = /^\s*(?:\d+|[A-Z]{3}):\s+\d+/;

export const interrupts: Recogniser = {
  id: 'interrupts',
  label: '/proc/interrupts',
  commands: /\/proc\/interrupts/,
  match(lines, at) {
    const first = lines[at]!.text;
    if (!HEADER.test(first) && !(LINE.test(first) && /\b(?:IR-)?(?:IO-APIC|PCI-MSI\S*|DMAR-MSI|AMD-Vi)\b/.test(first))) return null;
    let i = at + 1;
    while (i < lines.length && (LINE.test(lines[i]!.text) || /^\s*(?:ERR|MIS):/.test(lines[i]!.text))) i++;
    const text = lines.slice(at, i).map((l) => l.text).join('\n');
    return {
      length: i - at,
      apply(facts, where) {
        facts.interrupts = parseInterrupts(text);
        facts.note('proc/interrupts', whereText(where));
      },
    };
  },
};
