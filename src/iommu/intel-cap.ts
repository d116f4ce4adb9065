import type { IntelIommuDecoded } from '../snapshot/types.js';

// VT-d capability (CAP_REG) and extended capability (ECAP_REG) bits that matter for passthrough.
// Values are 64-bit, so they are handled as BigInt. Note IR support is ECAP bit 3; CAP bit 3 is AFL.
const ECAP = { C: 0n, QI: 1n, DT: 2n, IR: 3n, EIM: 4n, PT: 6n, SC: 7n, PASID: 40n, SMTS: 43n } as const;
const CAP = { CM: 7n, PI: 59n } as const;

function bit(v: bigint, n: bigint): boolean {
  return ((v >> n) & 1n) === 1n;
}

export function parseHex64(text: string): bigint | null {
  const t = text.trim().replace(/^0x/i, '');
  if (!/^[0-9a-f]{1,16}$/i.test(t)) return null;
  return BigInt('0x' + t);
}

export function decodeIntelIommu(capText: string | null, ecapText: string | null): IntelIommuDecoded | null {
  const cap = capText === null ? null : parseHex64(capText);
  const ecap = ecapText === null ? null : parseHex64(ecapText);
  if (ecap === null) return null;
  return {
    interruptRemapping: bit(ecap, ECAP.IR),
    extendedInterruptMode: bit(ecap, ECAP.EIM),
    queuedInvalidation: bit(ecap, ECAP.QI),
    passThrough: bit(ecap, ECAP.PT),
    deviceTlb: bit(ecap, ECAP.DT),
    scalableMode: bit(ecap, ECAP.SMTS),
    pasid: bit(ecap, ECAP.PASID),
    postedInterrupts: cap !== null && bit(cap, CAP.PI),
    cachingMode: cap !== null && bit(cap, CAP.CM),
  };
}
