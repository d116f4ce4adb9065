// PCI Advanced Features capability (ID 0x13): the conventional-PCI way to offer a function-level reset.
// The kernel's af_flr reset method needs both capability bits, Transactions Pending and FLR.
import type { PciConfig } from '../../snapshot/types.js';
import type { ConfigReader } from './config-reader.js';
import { hexOffset } from './hex.js';

export const AF_CAP = 3;
export const AF_CAP_TP = 0x01;
export const AF_CAP_FLR = 0x02;

export type AdvancedFeatures = NonNullable<PciConfig['af']>;

export function decodeAdvancedFeatures(cfg: ConfigReader, at: number, problems: string[]): AdvancedFeatures | null {
  const cap = cfg.u8(at + AF_CAP);
  if (cap === null) {
    problems.push(`Advanced Features capability at ${hexOffset(at)} is cut off before its capability register`);
    return null;
  }
  return { transactionsPending: (cap & AF_CAP_TP) !== 0, flr: (cap & AF_CAP_FLR) !== 0 };
}
