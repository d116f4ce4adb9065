import type { LockdownLevel } from '../snapshot/types.js';

/** /sys/kernel/security/lockdown: "none [integrity] confidentiality" — the bracketed word is active. */
export function parseLockdown(text: string): LockdownLevel | null {
  const m = /\[(none|integrity|confidentiality)\]/.exec(text);
  return m ? (m[1] as LockdownLevel) : null;
}

/** An efivarfs variable: 4 bytes of attributes, then the data; SecureBoot/SetupMode data is one byte. */
export function parseEfiBoolVar(bytes: Buffer): boolean | null {
  if (bytes.length < 5) return null;
  return bytes[4] === 1;
}
