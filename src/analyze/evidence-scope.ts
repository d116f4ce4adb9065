import type { Snapshot } from '../snapshot/types.js';

// How much a snapshot's silence means. A live host or a copied tree shows everything that exists; a
// paste shows what someone chose to paste (often through grep), so absence there proves nothing.

/** The PCI device list is the host's whole list (sysfs was read), not a pasted excerpt. */
export function deviceListComplete(snap: Snapshot): boolean {
  return snap.sources['sys/bus/pci/devices']?.status === 'read';
}

/** The kernel log is a whole log, not lines filtered out of one. */
export function kernelLogComplete(snap: Snapshot): boolean {
  return snap.kernelLog !== null && snap.origin.kind !== 'paste';
}

/** modprobe.d was read, so a missing entry is really missing. */
export function modprobeSeen(snap: Snapshot): boolean {
  return snap.sources['modprobe.d']?.status === 'read';
}
