// The fixed header every function has in its first 64 bytes (128 for CardBus bridges).
import type { ConfigReader } from './config-reader.js';

export const VENDOR_ID = 0x00;
export const DEVICE_ID = 0x02;
export const STATUS = 0x06;
/** Status bit 4: the function implements a capability list. */
export const STATUS_CAP_LIST = 0x0010;
export const HEADER_TYPE = 0x0e;
export const HEADER_TYPE_MULTIFUNCTION = 0x80;
export const HEADER_TYPE_LAYOUT_MASK = 0x7f;
/** Capability pointer for header layouts 0 and 1. */
export const CAPABILITY_LIST = 0x34;
/** CardBus bridges keep their capability pointer elsewhere, because 0x34 is part of their bridge window. */
export const CARDBUS_CAPABILITY_LIST = 0x14;

export const LAYOUT_NORMAL = 0;
export const LAYOUT_BRIDGE = 1;
export const LAYOUT_CARDBUS = 2;

/** What a non-root read of sysfs config returns: the header and nothing more. */
export const HEADER_SIZE = 64;
/** Conventional (PCI 3.0) config space; anything above needs PCIe extended access. */
export const CONVENTIONAL_SIZE = 256;
/** Capability structures never start inside the header; the kernel stops a walk that points there. */
export const FIRST_CAPABILITY_OFFSET = 0x40;

export interface ConfigHeader {
  /** null when the bytes holding the field were not read. */
  vendorId: number | null;
  deviceId: number | null;
  /** Header layout (low 7 bits of 0x0E). */
  layout: number | null;
  multifunction: boolean | null;
  /** Status says a capability list exists. */
  hasCapabilityList: boolean | null;
  /** Where the capability pointer lives for this layout; null for an unknown layout. */
  capabilityPointerOffset: number | null;
}

export function decodeHeader(cfg: ConfigReader): ConfigHeader {
  const headerType = cfg.u8(HEADER_TYPE);
  const status = cfg.u16(STATUS);
  const layout = headerType === null ? null : headerType & HEADER_TYPE_LAYOUT_MASK;
  return {
    vendorId: cfg.u16(VENDOR_ID),
    deviceId: cfg.u16(DEVICE_ID),
    layout,
    multifunction: headerType === null ? null : (headerType & HEADER_TYPE_MULTIFUNCTION) !== 0,
    hasCapabilityList: status === null ? null : (status & STATUS_CAP_LIST) !== 0,
    capabilityPointerOffset: capabilityPointerOffset(layout),
  };
}

function capabilityPointerOffset(layout: number | null): number | null {
  switch (layout) {
    case LAYOUT_NORMAL:
    case LAYOUT_BRIDGE:
      return CAPABILITY_LIST;
    case LAYOUT_CARDBUS:
      return CARDBUS_CAPABILITY_LIST;
    default:
      return null;
  }
}
