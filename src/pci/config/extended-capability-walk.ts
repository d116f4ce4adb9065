// Walk of the PCIe extended capability list, a chain of 32-bit headers from 0x100 to the end of the
// 4096-byte space: ID in bits 15:0, version in 19:16, next offset in 31:20.
import type { CapabilityRef } from '../../snapshot/types.js';
import type { ConfigReader } from './config-reader.js';
import { extendedCapabilityName } from './capability-ids.js';
import { CONVENTIONAL_SIZE } from './header.js';
import { hexOffset } from './hex.js';

export const EXT_CAP_START = 0x100;
export const EXT_CAP_ID_MASK = 0xffff;
export const EXT_CAP_VERSION_SHIFT = 16;
export const EXT_CAP_VERSION_MASK = 0xf;
export const EXT_CAP_NEXT_SHIFT = 20;
/** Next offset is 12 bits, dword aligned. */
export const EXT_CAP_NEXT_MASK = 0xffc;
/** The kernel's bound: the smallest extended capability is 8 bytes. */
export const MAX_EXT_CAPABILITY_HOPS = (4096 - CONVENTIONAL_SIZE) / 8;
const ALL_ONES = 0xffffffff;

export interface ExtendedCapabilityWalk {
  /** null when the extended space could not be read (short buffer, or it reads all ones). */
  list: CapabilityRef[] | null;
  problems: string[];
}

export function walkExtendedCapabilities(cfg: ConfigReader): ExtendedCapabilityWalk {
  const problems: string[] = [];
  const list: CapabilityRef[] = [];
  const visited = new Set<number>();
  let position = EXT_CAP_START;
  let from = -1;
  for (;;) {
    const header = cfg.u32(position);
    if (header === null) {
      problems.push(`extended capability at ${hexOffset(position)} lies beyond the ${cfg.length} readable bytes`);
      return { list: null, problems };
    }
    if (header === 0) {
      // An all-zero header at 0x100 is how a PCIe function says it has no extended capabilities.
      if (from >= 0) problems.push(`extended capability at ${hexOffset(from)} points to an empty header at ${hexOffset(position)}`);
      break;
    }
    if (header === ALL_ONES) {
      if (from < 0) {
        problems.push('extended config space reads all 0xff at 0x100: not accessible');
        return { list: null, problems };
      }
      problems.push(`extended capability list broken at ${hexOffset(position)}: header reads 0xffffffff`);
      break;
    }
    if (visited.has(position)) {
      problems.push(`extended capability list loops: capability at ${hexOffset(from)} points back to ${hexOffset(position)}`);
      break;
    }
    if (list.length >= MAX_EXT_CAPABILITY_HOPS) {
      problems.push(`extended capability list longer than ${MAX_EXT_CAPABILITY_HOPS} entries; stopped at ${hexOffset(position)}`);
      break;
    }
    visited.add(position);
    const id = header & EXT_CAP_ID_MASK;
    const version = (header >>> EXT_CAP_VERSION_SHIFT) & EXT_CAP_VERSION_MASK;
    list.push({ id, offset: position, name: extendedCapabilityName(id), version });
    const next = (header >>> EXT_CAP_NEXT_SHIFT) & EXT_CAP_NEXT_MASK;
    if (next === 0) break;
    if (next < EXT_CAP_START) {
      problems.push(`extended capability at ${hexOffset(position)} points below 0x100 (${hexOffset(next)}); list ends there`);
      break;
    }
    from = position;
    position = next;
  }
  return { list, problems };
}
