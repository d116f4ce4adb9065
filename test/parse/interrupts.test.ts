// /proc/interrupts is read by one expression when it is plain ASCII; the word splitting stays the reference
// (and the reading of anything else). Both must find the same chips in every row shape.
import test from 'node:test';
import assert from 'node:assert/strict';
import { parseInterrupts, parseAsciiInterrupts, parseInterruptsByWords } from '../../src/parse/interrupts.js';

/** A small deterministic generator, so that a failure names an input that can be rebuilt. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const PIECES = ['', ' ', '  ', '\t', '0', '7', '36', '1234567', ':', 'IR-PCI-MSI-0000:00:14.0', 'IO-APIC', 'DMAR-MSI', '2-edge', 'xhci_hcd', 'NMI', 'LOC', 'CPU0', '12a', 'x', '-', 'Non-maskable interrupts'];

function randomRow(rnd: () => number, cpus: number): string {
  const pick = (): string => PIECES[Math.floor(rnd() * PIECES.length)]!;
  const blank = (): string => [' ', '  ', '\t', ' \t '][Math.floor(rnd() * 4)]!;
  const shape = rnd();
  if (shape < 0.15) return Array.from({ length: Math.floor(rnd() * 6) }, pick).join(rnd() < 0.5 ? ' ' : '');
  const head = (rnd() < 0.8 ? ' '.repeat(Math.floor(rnd() * 4)) : '') + (rnd() < 0.9 ? String(Math.floor(rnd() * 300)) : pick()) + (rnd() < 0.95 ? ':' : '') + (rnd() < 0.9 ? blank() : '');
  const counters = Array.from({ length: Math.floor(rnd() * (cpus + 2)) }, () => (rnd() < 0.9 ? String(Math.floor(rnd() * 100000)) : pick()));
  const tail = Array.from({ length: Math.floor(rnd() * 4) }, pick);
  return head + [...counters, ...tail].join(blank()) + (rnd() < 0.2 ? blank() : '');
}

test('/proc/interrupts: the ASCII reading finds what the word splitting finds, on varied rows', () => {
  const rnd = lcg(16);
  for (let round = 0; round < 400; round++) {
    const cpus = Math.floor(rnd() * 6);
    const header = (rnd() < 0.9 ? '  ' : '') + Array.from({ length: cpus }, (_, i) => `CPU${i}`).join(rnd() < 0.5 ? '       ' : '\t') + (rnd() < 0.1 ? ' CPUx' : '');
    const rows = Array.from({ length: Math.floor(rnd() * 12) }, () => randomRow(rnd, cpus));
    const text = [header, ...rows].join('\n') + (rnd() < 0.7 ? '\n' : rnd() < 0.5 ? '\n\n' : '');
    assert.deepEqual(parseAsciiInterrupts(text), parseInterruptsByWords(text), JSON.stringify(text));
    assert.deepEqual(parseInterrupts(text), parseInterruptsByWords(text));
  }
});

test('/proc/interrupts: edge rows read alike both ways', () => {
  const texts = [
    '',
    'CPU0',
    'CPU0\n',
    '  CPU0 CPU1\n0: 1 2 IO-APIC',
    '  CPU0 CPU1\n0:1 2 IO-APIC\n',
    '  CPU0 CPU1\n0: \n1:\t\t\n2:\n',
    '  CPU0 CPU1\n0: 1 2 3 4\n',
    '  CPU0 CPU1\n0: 1 2 12a x\n',
    '  CPU0 CPU1\n 9: IR-IO-APIC 9-fasteoi acpi\n',
    '  CPU0 CPU1\n 9:  5 IR-IO-APIC\n10: 1 2 3 PCI-MSI\n',
    'CPU0 CPU1\nNMI: 0 0 Non-maskable\nLOC: 1 1 Local\n',
  ];
  for (const text of texts) assert.deepEqual(parseAsciiInterrupts(text), parseInterruptsByWords(text), JSON.stringify(text));
});

test('/proc/interrupts: \\r, vertical tabs and Unicode spaces keep the word splitting', () => {
  // A lone \r ends a regular expression's `.`, so that row is no row; \u00a0 is a blank for \s.
  const text = '  CPU0 CPU1\n 0: 1 2 IO-APIC\r x\n 1:\u00a01 2 PCI-MSI\n 2: 1\v2 DMAR-MSI\r\n 3: 1 2 IR-IO-APIC\n';
  assert.deepEqual(parseInterrupts(text), parseInterruptsByWords(text));
  assert.deepEqual(parseInterrupts(text), { chips: ['DMAR-MSI', 'IR-IO-APIC', 'PCI-MSI'], remapped: true });
});
