// Decoding of one function's config space image (the sysfs "config" file, or a dump) into the snapshot's
// PciConfig. Never throws: whatever the bytes are, the result says what could be read and what was wrong.
import type { CapabilityRef, PciConfig } from '../../snapshot/types.js';
import { decodeAcs } from './acs.js';
import { decodeAdvancedFeatures } from './advanced-features.js';
import {
  CAP_ID_AF,
  CAP_ID_EXPRESS,
  CAP_ID_MSI,
  CAP_ID_MSIX,
  CAP_ID_PM,
  EXT_CAP_ID_ACS,
  EXT_CAP_ID_AER,
  EXT_CAP_ID_ARI,
  EXT_CAP_ID_ATS,
  EXT_CAP_ID_PASID,
  EXT_CAP_ID_PRI,
  EXT_CAP_ID_REBAR,
  EXT_CAP_ID_SRIOV,
} from './capability-ids.js';
import { walkCapabilities } from './capability-walk.js';
import { CONFIG_SPACE_MAX, ConfigReader } from './config-reader.js';
import { decodeExpress } from './express.js';
import { walkExtendedCapabilities } from './extended-capability-walk.js';
import { CONVENTIONAL_SIZE, decodeHeader, HEADER_SIZE, type ConfigHeader } from './header.js';
import { hexId } from './hex.js';
import { decodePowerManagement } from './power-management.js';
import { decodeSriov } from './sriov.js';

/** A function that does not answer (D3cold, surprise-removed, link down) reads as all ones. */
const NO_RESPONSE = 0xffffffff;
const INVALID_VENDOR_IDS = new Set([0x0000, 0xffff]);

/** The note for a function whose id registers alone read all ones; collection drops it for a known VF. */
export const VF_ID_REGISTERS = 'vendor and device ID registers read 0xffff while the rest of the header answers: an SR-IOV virtual function reads so by design (its ids are in sysfs and in the PF\'s SR-IOV capability)';

function headerAllOnes(cfg: ConfigReader): boolean {
  for (let at = 4; at < HEADER_SIZE; at += 4) if (cfg.u32(at) !== NO_RESPONSE) return false;
  return true;
}

/**
 * Decode a config space image. `length` is the buffer length; `truncated` says the image is shorter than
 * the function's config space (under 256 bytes, or under 4096 for a PCIe function).
 *
 * Images shorter than the 64-byte header still give a record, with a problem saying so: ids whose bytes
 * are missing are '' and an unreadable header type is -1. Callers that would rather treat such an image
 * as unreadable use tryDecodeConfigSpace.
 */
export function decodeConfigSpace(bytes: Uint8Array): PciConfig {
  const cfg = new ConfigReader(bytes);
  const header = decodeHeader(cfg);
  const problems: string[] = [];
  if (bytes.length > CONFIG_SPACE_MAX) {
    problems.push(`image is ${bytes.length} bytes; only the first ${CONFIG_SPACE_MAX} are config space`);
  }
  if (bytes.length < HEADER_SIZE) {
    problems.push(
      bytes.length === 0
        ? 'config space image is empty'
        : `config space image is ${bytes.length} bytes, shorter than the ${HEADER_SIZE}-byte header`,
    );
    return headerOnly(bytes.length, header, problems);
  }
  // An SR-IOV virtual function reads 0xffff in its vendor and device id registers by design (its ids
  // are the PF's vendor and the VF device id of the PF's SR-IOV capability) while the rest of its header
  // answers. Only a header that is all ones throughout is a function that does not respond.
  const idsHidden = cfg.u32(0) === NO_RESPONSE;
  if (idsHidden && headerAllOnes(cfg)) {
    problems.push('config space reads all 0xff: the device does not respond (powered off in D3cold, or gone)');
    // The header type byte is 0xff too; its multifunction bit says nothing about the device.
    return headerOnly(bytes.length, { ...header, multifunction: false }, problems);
  }
  if (idsHidden) {
    problems.push(VF_ID_REGISTERS);
  } else if (INVALID_VENDOR_IDS.has(header.vendorId!)) {
    problems.push(`vendor ID 0x${hexId(header.vendorId!)} is not a valid vendor`);
  }

  const capabilities = readCapabilityList(cfg, header, problems);
  const expressRef = findCapability(capabilities, CAP_ID_EXPRESS);
  const express = expressRef ? decodeExpress(cfg, expressRef.offset, problems) : null;
  // A PCIe function has 4096 bytes of config space; the extended half needs root (or a full dump).
  const truncated = bytes.length < CONVENTIONAL_SIZE || (expressRef !== undefined && cfg.length < CONFIG_SPACE_MAX);
  let extendedCapabilities: CapabilityRef[] | null = null;
  if (expressRef && cfg.length >= CONFIG_SPACE_MAX) {
    const walk = walkExtendedCapabilities(cfg);
    extendedCapabilities = walk.list;
    problems.push(...walk.problems);
  }

  const pmRef = findCapability(capabilities, CAP_ID_PM);
  const afRef = findCapability(capabilities, CAP_ID_AF);
  const acsRef = findCapability(extendedCapabilities, EXT_CAP_ID_ACS);
  const sriovRef = findCapability(extendedCapabilities, EXT_CAP_ID_SRIOV);
  return {
    length: bytes.length,
    truncated,
    vendorId: hexId(header.vendorId!),
    deviceId: hexId(header.deviceId!),
    headerType: header.layout!,
    multifunction: header.multifunction!,
    capabilities,
    extendedCapabilities,
    problems,
    express,
    pm: pmRef ? decodePowerManagement(cfg, pmRef.offset, problems) : null,
    af: afRef ? decodeAdvancedFeatures(cfg, afRef.offset, problems) : null,
    acs: acsRef ? decodeAcs(cfg, acsRef.offset, problems) : null,
    ari: hasCapability(extendedCapabilities, EXT_CAP_ID_ARI),
    ats: hasCapability(extendedCapabilities, EXT_CAP_ID_ATS),
    pri: hasCapability(extendedCapabilities, EXT_CAP_ID_PRI),
    pasid: hasCapability(extendedCapabilities, EXT_CAP_ID_PASID),
    sriov: sriovRef ? decodeSriov(cfg, sriovRef.offset, problems) : null,
    aer: hasCapability(extendedCapabilities, EXT_CAP_ID_AER),
    resizableBar: hasCapability(extendedCapabilities, EXT_CAP_ID_REBAR),
    msi: hasCapability(capabilities, CAP_ID_MSI),
    msix: hasCapability(capabilities, CAP_ID_MSIX),
  };
}

export type ConfigDecodeResult = { config: PciConfig } | { error: string };

/**
 * Like decodeConfigSpace, but an image too short to hold the header is an error rather than a record:
 * the one-line message suits a SourceRecord ("error") next to `config: null`.
 */
export function tryDecodeConfigSpace(bytes: Uint8Array): ConfigDecodeResult {
  if (bytes.length < HEADER_SIZE) {
    return {
      error:
        bytes.length === 0
          ? 'config space image is empty'
          : `config space image is ${bytes.length} bytes, shorter than the ${HEADER_SIZE}-byte header`,
    };
  }
  return { config: decodeConfigSpace(bytes) };
}

function readCapabilityList(cfg: ConfigReader, header: ConfigHeader, problems: string[]): CapabilityRef[] | null {
  if (!header.hasCapabilityList) return [];
  if (header.capabilityPointerOffset === null) {
    problems.push(`header type ${header.layout} is unknown; capability list not read`);
    return null;
  }
  const walk = walkCapabilities(cfg, header.capabilityPointerOffset);
  problems.push(...walk.problems);
  return walk.list;
}

function findCapability(list: CapabilityRef[] | null, id: number): CapabilityRef | undefined {
  // The first instance is the one the kernel (pci_find_capability) uses.
  return list?.find((cap) => cap.id === id);
}

function hasCapability(list: CapabilityRef[] | null, id: number): boolean {
  return findCapability(list, id) !== undefined;
}

/** A record with the header facts and no capability information: nothing beyond the header is known. */
export function emptyPciConfig(h: Pick<PciConfig, 'length' | 'truncated' | 'vendorId' | 'deviceId' | 'headerType' | 'multifunction' | 'problems'>): PciConfig {
  return {
    ...h,
    capabilities: null,
    extendedCapabilities: null,
    express: null,
    pm: null,
    af: null,
    acs: null,
    ari: false,
    ats: false,
    pri: false,
    pasid: false,
    sriov: null,
    aer: false,
    resizableBar: false,
    msi: false,
    msix: false,
  };
}

/** A record for an image whose capabilities cannot be trusted or read at all. */
function headerOnly(length: number, header: ConfigHeader, problems: string[]): PciConfig {
  return emptyPciConfig({
    length,
    truncated: length < CONVENTIONAL_SIZE,
    vendorId: header.vendorId === null ? '' : hexId(header.vendorId),
    deviceId: header.deviceId === null ? '' : hexId(header.deviceId),
    headerType: header.layout ?? -1,
    multifunction: header.multifunction ?? false,
    problems,
  });
}
