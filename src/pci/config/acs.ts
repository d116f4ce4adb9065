// Access Control Services extended capability (ID 0x0d). The kernel groups devices by whether the ACS
// controls on the path upstream are enabled, so both what the hardware can do (cap) and what is switched
// on (ctrl) are kept, decoded and raw.
import type { AcsBits, PciConfig } from '../../snapshot/types.js';
import type { ConfigReader } from './config-reader.js';
import { hexOffset } from './hex.js';

export const ACS_CAP = 0x04;
export const ACS_CTRL = 0x06;

// The same bit positions in both registers.
export const ACS_SOURCE_VALIDATION = 0x0001;
export const ACS_TRANSLATION_BLOCKING = 0x0002;
export const ACS_REQUEST_REDIRECT = 0x0004;
export const ACS_COMPLETION_REDIRECT = 0x0008;
export const ACS_UPSTREAM_FORWARDING = 0x0010;
export const ACS_EGRESS_CONTROL = 0x0020;
export const ACS_DIRECT_TRANSLATED = 0x0040;

export type AcsInfo = NonNullable<PciConfig['acs']>;

export function decodeAcsBits(value: number): AcsBits {
  return {
    sourceValidation: (value & ACS_SOURCE_VALIDATION) !== 0,
    translationBlocking: (value & ACS_TRANSLATION_BLOCKING) !== 0,
    requestRedirect: (value & ACS_REQUEST_REDIRECT) !== 0,
    completionRedirect: (value & ACS_COMPLETION_REDIRECT) !== 0,
    upstreamForwarding: (value & ACS_UPSTREAM_FORWARDING) !== 0,
    egressControl: (value & ACS_EGRESS_CONTROL) !== 0,
    directTranslated: (value & ACS_DIRECT_TRANSLATED) !== 0,
  };
}

export function decodeAcs(cfg: ConfigReader, at: number, problems: string[]): AcsInfo | null {
  const capRaw = cfg.u16(at + ACS_CAP);
  const ctrlRaw = cfg.u16(at + ACS_CTRL);
  if (capRaw === null || ctrlRaw === null) {
    problems.push(`ACS capability at ${hexOffset(at)} is cut off before its control register`);
    return null;
  }
  return { cap: decodeAcsBits(capRaw), ctrl: decodeAcsBits(ctrlRaw), capRaw, ctrlRaw };
}
