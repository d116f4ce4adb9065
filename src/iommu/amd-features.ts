import type { AmdIommuDecoded } from '../snapshot/types.js';
import { parseHex64 } from './intel-cap.js';

// Extended Feature Register bits in the order the kernel prints them (feat_str); bit 5 has no name there.
const EFR_NAMES: [number, string][] = [
  [0, 'PreF'], [1, 'PPR'], [2, 'X2APIC'], [3, 'NX'], [4, 'GT'], [6, 'IA'], [7, 'GA'], [8, 'HE'], [9, 'PC'],
];

export function decodeAmdIommu(featuresText: string | null): AmdIommuDecoded | null {
  if (featuresText === null) return null;
  const efr = parseHex64(featuresText);
  if (efr === null) return null;
  const features = EFR_NAMES.filter(([b]) => ((efr >> BigInt(b)) & 1n) === 1n).map(([, n]) => n);
  return { features, x2apic: features.includes('X2APIC'), guestVapic: features.includes('GA') };
}
