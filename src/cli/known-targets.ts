// A --device or --vm that names nothing on the host is a mistake in the command, not a finding: it is
// refused (one line, exit 2), with what the host does have that comes closest.
import { InputError } from './command.js';
import { closest } from './suggest.js';
import { fullFunctionAddress } from '../pci/address.js';
import type { Snapshot } from '../snapshot/types.js';

/**
 * Every --device must be a PCI function of the snapshot. A snapshot without any PCI function (sysfs
 * unreadable, a partial capture) cannot tell, so it is not held against the user.
 */
export function requireKnownDevices(snap: Snapshot, devices: readonly string[], where: string): void {
  const known = snap.pci.map((p) => p.address);
  if (known.length === 0) return;
  for (const d of devices) {
    const addr = fullFunctionAddress(d);
    if (addr === null || known.includes(addr)) continue;
    throw new InputError(`--device ${d}: no PCI function ${addr} ${where}; the nearest: ${closest(addr, known).join(', ')}`);
  }
}

/** The error for a --vm that matches no VM; `known` as focusOnVm lists them ("101 (win10)", "nas"). */
export function unknownVm(key: string, known: readonly string[], where: string): InputError {
  if (known.length === 0) return new InputError(`--vm ${key}: no VM is defined ${where}`);
  const keysOf = (k: string) => {
    const m = /^(\S+) \((.*)\)$/.exec(k);
    return m ? [m[1]!, m[2]!] : [k];
  };
  const of = known.length > 3 ? ` (of ${known.length})` : '';
  return new InputError(`--vm ${key}: no such VM ${where}; the nearest: ${closest(key, known, 3, keysOf).join(', ')}${of}`);
}
