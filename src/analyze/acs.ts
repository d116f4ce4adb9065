import type { PciDevice } from '../snapshot/types.js';

// The kernel's isolation test (pci_acs_enabled with REQ_ACS_FLAGS = SV|RR|CR|UF), kernel-facts §6,
// so a report can name the bridge or function that makes a group bigger.

export interface AcsJudgement {
  /** null when the config space needed to judge it was not readable. */
  isolates: boolean | null;
  why: string;
}

function inRange(id: number, lo: number, hi: number): boolean {
  return id >= lo && id <= hi;
}

/** Device-specific quirks (pci_dev_acs_enabled[]): a subset covering the common desktop and server parts. */
function quirk(d: PciDevice): AcsJudgement | null {
  const v = d.vendorId;
  const id = parseInt(d.deviceId, 16);
  const type = d.config?.express?.portType;
  if (v === '8086' && type === 'rc-integrated-endpoint') return { isolates: true, why: 'Intel root-complex integrated endpoint (kernel quirk)' };
  if (v === '8086' && type === 'root-port') {
    const pch = [
      [0x3b42, 0x3b51], [0x1c10, 0x1c1f], [0x1e10, 0x1e1f], [0x8c10, 0x8c1f], [0x9c10, 0x9c1b], [0x9c90, 0x9c9b],
      [0x1d10, 0x1d1e], [0x8d10, 0x8d1e], [0x8c90, 0x8c9e], [0xa110, 0xa11f], [0xa167, 0xa16a], [0xa290, 0xa29f],
      [0xa2e7, 0xa2ee], [0x9d10, 0x9d1b],
    ];
    if (pch.some(([lo, hi]) => inRange(id, lo!, hi!))) return { isolates: true, why: 'Intel PCH root port (kernel ACS quirk)' };
  }
  if ((v === '1002' && [0x4385, 0x439c, 0x4383, 0x439d, 0x4384, 0x4399].includes(id)) || (v === '1022' && [0x780f, 0x7809].includes(id))) {
    return { isolates: true, why: 'AMD southbridge function (kernel quirk, with IVRS)' };
  }
  const intelMfNics = [
    0x10c6, 0x10db, 0x10dd, 0x10e1, 0x10f1, 0x10f7, 0x10f8, 0x10f9, 0x10fa, 0x10fb, 0x10fc, 0x1507, 0x1514, 0x151c, 0x1529, 0x152a,
    0x154d, 0x154f, 0x1551, 0x1558, 0x1509, 0x150e, 0x150f, 0x1510, 0x1511, 0x1516, 0x1527, 0x10c9, 0x10e6, 0x10e7, 0x10e8, 0x150a,
    0x150d, 0x1518, 0x1526, 0x10a7, 0x10a9, 0x10d6, 0x1521, 0x1522, 0x1523, 0x1524, 0x105e, 0x105f, 0x1060, 0x10d9, 0x15b7, 0x15b8,
  ];
  if (v === '8086' && intelMfNics.includes(id)) return { isolates: true, why: 'Intel multifunction NIC without peer-to-peer (kernel quirk)' };
  return null;
}


export function judgeAcs(d: PciDevice): AcsJudgement {
  const q = quirk(d);
  if (q) return q;
  const c = d.config;
  if (!c || c.capabilities === null) return { isolates: null, why: 'config space not readable (run as root)' };
  const e = c.express;
  if (!e) return { isolates: false, why: 'conventional PCI device: no ACS' };
  const needAcs = () => {
    if (c.extendedCapabilities === null) return { isolates: null, why: 'extended config space not readable (run as root)' } as AcsJudgement;
    if (!c.acs) return { isolates: false, why: 'no ACS capability' } as AcsJudgement;
    const { cap, ctrl } = c.acs;
    const missing: string[] = [];
    // A flag the hardware cannot implement counts as satisfied (kernel: flags &= cap | EC).
    if (cap.sourceValidation && !ctrl.sourceValidation) missing.push('SrcValid');
    if (cap.requestRedirect && !ctrl.requestRedirect) missing.push('ReqRedir');
    if (cap.completionRedirect && !ctrl.completionRedirect) missing.push('CmpltRedir');
    if (cap.upstreamForwarding && !ctrl.upstreamForwarding) missing.push('UpstreamFwd');
    return missing.length ? ({ isolates: false, why: `ACS present but not enabled: ${missing.join(' ')} off` } as AcsJudgement) : ({ isolates: true, why: 'ACS enabled' } as AcsJudgement);
  };
  switch (e.portType) {
    case 'pcie-to-pci-bridge':
    case 'pci-to-pcie-bridge':
    case 'rc-event-collector':
      return { isolates: false, why: `${e.portType} never isolates` };
    case 'root-port':
    case 'downstream-port':
      return needAcs();
    case 'endpoint':
    case 'upstream-port':
    case 'legacy-endpoint':
    case 'rc-integrated-endpoint':
      return c.multifunction ? needAcs() : { isolates: true, why: 'single-function device' };
    default:
      return { isolates: true, why: 'port type needs no ACS' };
  }
}
