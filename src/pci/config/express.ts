// PCI Express capability (ID 0x10): the port type tells where the function sits in the hierarchy (which
// decides how ACS is judged), DevCap says whether it can do a Function Level Reset, and for downstream-
// facing ports DevCtl2 says whether ARI forwarding is on (needed for SR-IOV VFs above function 7).
import type { PciConfig, PciePortType } from '../../snapshot/types.js';
import type { ConfigReader } from './config-reader.js';
import { hexOffset } from './hex.js';

export const EXP_FLAGS = 2;
export const EXP_FLAGS_VERSION_MASK = 0x000f;
export const EXP_FLAGS_TYPE_MASK = 0x00f0;
export const EXP_FLAGS_TYPE_SHIFT = 4;
export const EXP_DEVCAP = 4;
export const EXP_DEVCAP_FLR = 0x10000000;
/** DevCtl2 exists only in version 2 capabilities (PCIe 2.0 and later). */
export const EXP_DEVCTL2 = 0x28;
export const EXP_DEVCTL2_ARI_FORWARDING = 0x0020;

export const PORT_TYPE_ENDPOINT = 0x0;
export const PORT_TYPE_LEGACY_ENDPOINT = 0x1;
export const PORT_TYPE_ROOT_PORT = 0x4;
export const PORT_TYPE_UPSTREAM = 0x5;
export const PORT_TYPE_DOWNSTREAM = 0x6;
export const PORT_TYPE_PCIE_TO_PCI_BRIDGE = 0x7;
export const PORT_TYPE_PCI_TO_PCIE_BRIDGE = 0x8;
export const PORT_TYPE_RC_INTEGRATED_ENDPOINT = 0x9;
export const PORT_TYPE_RC_EVENT_COLLECTOR = 0xa;

const PORT_TYPES: ReadonlyMap<number, PciePortType> = new Map([
  [PORT_TYPE_ENDPOINT, 'endpoint'],
  [PORT_TYPE_LEGACY_ENDPOINT, 'legacy-endpoint'],
  [PORT_TYPE_ROOT_PORT, 'root-port'],
  [PORT_TYPE_UPSTREAM, 'upstream-port'],
  [PORT_TYPE_DOWNSTREAM, 'downstream-port'],
  [PORT_TYPE_PCIE_TO_PCI_BRIDGE, 'pcie-to-pci-bridge'],
  [PORT_TYPE_PCI_TO_PCIE_BRIDGE, 'pci-to-pcie-bridge'],
  [PORT_TYPE_RC_INTEGRATED_ENDPOINT, 'rc-integrated-endpoint'],
  [PORT_TYPE_RC_EVENT_COLLECTOR, 'rc-event-collector'],
]);

export type ExpressInfo = NonNullable<PciConfig['express']>;

export function portTypeName(code: number): PciePortType {
  return PORT_TYPES.get(code) ?? 'unknown';
}

export function decodeExpress(cfg: ConfigReader, at: number, problems: string[]): ExpressInfo | null {
  const flags = cfg.u16(at + EXP_FLAGS);
  if (flags === null) {
    problems.push(`PCI Express capability at ${hexOffset(at)} is cut off before its flags`);
    return null;
  }
  const version = flags & EXP_FLAGS_VERSION_MASK;
  const portTypeCode = (flags & EXP_FLAGS_TYPE_MASK) >> EXP_FLAGS_TYPE_SHIFT;
  const devcap = cfg.u32(at + EXP_DEVCAP);
  if (devcap === null) {
    problems.push(`PCI Express capability at ${hexOffset(at)} is cut off before Device Capabilities; FLR unknown`);
  }
  return {
    version,
    portType: portTypeName(portTypeCode),
    portTypeCode,
    flr: devcap !== null && (devcap & EXP_DEVCAP_FLR) !== 0,
    ariForwarding: decodeAriForwarding(cfg, at, version, portTypeCode),
  };
}

/** Only ports that route to functions below them (root and switch downstream ports) have the control. */
function decodeAriForwarding(cfg: ConfigReader, at: number, version: number, portTypeCode: number): boolean | null {
  if (portTypeCode !== PORT_TYPE_ROOT_PORT && portTypeCode !== PORT_TYPE_DOWNSTREAM) return null;
  // A version 1 capability predates ARI: forwarding cannot be on.
  if (version < 2) return false;
  const devctl2 = cfg.u16(at + EXP_DEVCTL2);
  return devctl2 === null ? null : (devctl2 & EXP_DEVCTL2_ARI_FORWARDING) !== 0;
}
