// Hex spellings used in the data model and in problem messages.

/** Lowercase, zero-padded, no 0x: the form the snapshot stores ids in. */
export function hexId(value: number, digits = 4): string {
  return value.toString(16).padStart(digits, '0');
}

/** 0x-prefixed offset for messages, padded to 2 digits (standard space) or 3 (extended space). */
export function hexOffset(offset: number): string {
  return '0x' + offset.toString(16).padStart(offset >= 0x100 ? 3 : 2, '0');
}
