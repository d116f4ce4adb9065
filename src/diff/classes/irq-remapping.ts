import type { Snapshot } from '../../snapshot/types.js';
import type { DiffEvidence } from '../types.js';
import { change, type ChangeClass } from './class.js';

// Interrupt remapping, judged per snapshot from the strongest evidence present: IR- interrupt chips
// in /proc/interrupts and the "enabled" log lines say on; Intel units without the ECAP IR bit,
// intremap=off and the kernel's "not enabling / disabled" lines say off.

const ON_LOG = /DMAR-IR: Enabled IRQ remapping|AMD-Vi: Interrupt remapping enabled/;
const OFF_LOG = /DMAR-IR: Not enabling interrupt remapping|DMAR-IR: Failed to|remapping is being disabled|Failed to enable irq remapping|IRQ remapping doesn't support X2APIC|No interrupt remapping support/i;

interface IrState {
  on: boolean | null;
  why: string;
}

function logLine(s: Snapshot, re: RegExp): string | null {
  for (const l of s.kernelLog?.lines ?? []) if (re.test(l.text)) return l.text;
  return null;
}

function irqRemapState(s: Snapshot): IrState {
  if (s.interrupts?.remapped) return { on: true, why: 'IR- interrupt chips in /proc/interrupts' };
  const on = logLine(s, ON_LOG);
  if (on) return { on: true, why: on.trim() };
  const noIr = s.iommu.units.filter((u) => u.intel && !u.intel.interruptRemapping).map((u) => u.name);
  if (noIr.length > 0) return { on: false, why: `no interrupt-remapping capability on ${noIr.join(', ')}` };
  if (s.host.cmdline?.iommu.intremap === 'off') return { on: false, why: 'intremap=off' };
  const off = logLine(s, OFF_LOG);
  if (off) return { on: false, why: off.trim() };
  if (s.interrupts && s.kernelLog) return { on: false, why: 'no IR- interrupt chips in /proc/interrupts' };
  return { on: null, why: 'neither /proc/interrupts nor the kernel log says' };
}

export const irqRemapping: ChangeClass = {
  meta: {
    id: 'irq-remapping',
    layer: 'kernel',
    causes: ['irq-remap-missing'],
    title: 'Interrupt remapping',
    description: 'Whether interrupt remapping is on in both snapshots (IR interrupt chips, the kernel\'s enable line, the IOMMU units\' capability, intremap=off).',
    reports: ['irq-remapping-lost', 'irq-remapping-gained'],
  },
  compare(ctx, out) {
    // Without DMA remapping on both sides the question is moot; the activation class reports that.
    if (ctx.a.iommuActive !== true || ctx.b.iommuActive !== true) return;
    const was = irqRemapState(ctx.a.snap);
    const now = irqRemapState(ctx.b.snap);
    if (was.on === null || now.on === null) {
      if (was.on !== now.on) out.note(`interrupt remapping not compared: ${(was.on === null ? was : now).why} (${was.on === null ? 'earlier' : 'later'} snapshot)`);
      return;
    }
    if (was.on === now.on) return;
    const evidence: DiffEvidence[] = [{ what: 'interrupt remapping', before: `${was.on ? 'on' : 'off'} (${was.why})`, after: `${now.on ? 'on' : 'off'} (${now.why})` }];
    if (now.on) out.add(change('irq-remapping-gained', 'kernel', 'improvement', 'Interrupt remapping is now on', evidence));
    else out.add(change('irq-remapping-lost', 'kernel', 'regression', 'Interrupt remapping is off: VFIO refuses devices unless unsafe interrupts are allowed', evidence, { cause: 'irq-remap-missing' }));
  },
};
