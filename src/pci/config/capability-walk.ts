// Walk of the standard capability list: ID byte, next-pointer byte, repeated. Hardware and firmware get
// this wrong often enough (loops, pointers into the header, lists cut off by a short read) that every
// step is checked.
import type { CapabilityRef } from '../../snapshot/types.js';
import type { ConfigReader } from './config-reader.js';
import { standardCapabilityName } from './capability-ids.js';
import { FIRST_CAPABILITY_OFFSET } from './header.js';
import { hexOffset } from './hex.js';

/** The two low bits of every capability pointer are reserved and must be ignored. */
export const CAP_POINTER_MASK = 0xfc;
export const CAP_ID = 0;
export const CAP_NEXT = 1;
/** The kernel's bound on list length (PCI_FIND_CAP_TTL): 48 dword slots fit between 0x40 and 0x100. */
export const MAX_CAPABILITY_HOPS = 48;
/** An ID of 0xff means the bytes are not a capability (unimplemented space reads as all ones). */
const BROKEN_ID = 0xff;

export interface CapabilityWalk {
  /** null when the pointer or a link of the chain lies beyond the readable bytes: the rest is unknown. */
  list: CapabilityRef[] | null;
  problems: string[];
}

export function walkCapabilities(cfg: ConfigReader, pointerOffset: number): CapabilityWalk {
  const problems: string[] = [];
  const pointer = cfg.u8(pointerOffset);
  if (pointer === null) {
    problems.push(`capability pointer at ${hexOffset(pointerOffset)} lies beyond the ${cfg.length} readable bytes`);
    return { list: null, problems };
  }
  const list: CapabilityRef[] = [];
  const visited = new Set<number>();
  let position = pointer & CAP_POINTER_MASK;
  // Who pointed here, for messages.
  let source = `capability pointer at ${hexOffset(pointerOffset)}`;
  while (position !== 0) {
    if (position < FIRST_CAPABILITY_OFFSET) {
      problems.push(`${source} points into the header (${hexOffset(position)}); list ends there`);
      break;
    }
    if (!cfg.has(position, CAP_NEXT + 1)) {
      problems.push(`${source} points to ${hexOffset(position)}, beyond the ${cfg.length} readable bytes`);
      return { list: null, problems };
    }
    if (visited.has(position)) {
      problems.push(`capability list loops: ${source} points back to ${hexOffset(position)}`);
      break;
    }
    if (list.length >= MAX_CAPABILITY_HOPS) {
      problems.push(`capability list longer than ${MAX_CAPABILITY_HOPS} entries; stopped at ${hexOffset(position)}`);
      break;
    }
    visited.add(position);
    const id = cfg.u8(position + CAP_ID)!;
    if (id === BROKEN_ID) {
      problems.push(`capability list broken at ${hexOffset(position)}: ID reads 0xff`);
      break;
    }
    list.push({ id, offset: position, name: standardCapabilityName(id) });
    source = `capability at ${hexOffset(position)}`;
    position = cfg.u8(position + CAP_NEXT)! & CAP_POINTER_MASK;
  }
  return { list, problems };
}
