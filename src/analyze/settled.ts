// Later evidence settles earlier layers: a VM that opened its IOMMU group and then failed at DMA mapping
// proves that the firmware exposed an IOMMU, the kernel turned it on and VFIO owned the group. The
// catalogue says, per message family, which layers must have worked for the program to get that far.
import type { Snapshot } from '../snapshot/types.js';
import type { Evidence } from './finding.js';
import { LAYERS, type Layer } from './layers.js';
import { seenMessages } from './rules/messages/catalogue-messages.js';

export interface SettledLayer {
  layer: Layer;
  /** The line that proves the layer working. */
  evidence: Evidence;
  /** The catalogue family of that line. */
  by: string;
}

/** Per layer, the first line that proves it working; layers nothing proves are absent. */
export function settledLayers(snap: Snapshot): SettledLayer[] {
  const out: SettledLayer[] = [];
  for (const layer of LAYERS) {
    const seen = seenMessages(snap).find((m) => m.hit.entry.settles?.includes(layer));
    if (seen) out.push({ layer, evidence: seen.evidence, by: seen.hit.entry.id });
  }
  return out;
}
