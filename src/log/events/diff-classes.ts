// The classes the diff sorts new kernel-log lines into. Which lines fall in which class is declared by
// each event rule (its `diff`); this table only names the classes, in the order the diff reports them.

import type { Layer } from '../../analyze/layers.js';

export interface LogDiffClass {
  id: string;
  layer: Layer;
  /** The cause a new line of this class is evidence of (null: too varied to name one). */
  cause: string | null;
  title: string;
}

export const LOG_DIFF_CLASSES = [
  { id: 'dma-fault', layer: 'device', cause: 'dma-fault', title: 'DMA / IOMMU faults' },
  { id: 'firmware-bug', layer: 'firmware', cause: null, title: 'firmware bugs reported by the kernel' },
  { id: 'bar-conflict', layer: 'device', cause: 'bar-conflict', title: 'BAR reservation failures' },
  { id: 'd3', layer: 'device', cause: 'stuck-in-d3', title: 'power-state errors' },
  { id: 'reset-error', layer: 'device', cause: 'reset-failed', title: 'reset errors' },
  { id: 'probe-failure', layer: 'binding', cause: null, title: 'driver probe failures' },
  { id: 'module-error', layer: 'modules', cause: 'module-signature-rejected', title: 'module load errors' },
  { id: 'iommu-error', layer: 'kernel', cause: null, title: 'IOMMU and interrupt-remapping errors' },
  { id: 'aer', layer: 'device', cause: null, title: 'uncorrectable PCIe errors (AER)' },
] as const satisfies readonly LogDiffClass[];

export type LogDiffClassId = (typeof LOG_DIFF_CLASSES)[number]['id'];

export function logDiffClass(id: LogDiffClassId): LogDiffClass {
  return LOG_DIFF_CLASSES.find((c) => c.id === id) as LogDiffClass;
}
