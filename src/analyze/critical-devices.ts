import type { Snapshot } from '../snapshot/types.js';
import { isDisplay } from './pci-facts.js';

/**
 * PCI functions the host itself needs, with why: passing one through takes the host (or its console)
 * down. The only display is left out on request: single-GPU passthrough gives it away on purpose.
 */
export function criticalDevices(snap: Snapshot, opts: { display?: boolean } = {}): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of snap.hostCritical.rootFilesystem?.devices ?? []) out.set(a, 'holds the root filesystem');
  for (const a of snap.hostCritical.defaultRoute?.devices ?? []) out.set(a, `carries the default route (${snap.hostCritical.defaultRoute!.interface})`);
  const displays = snap.pci.filter(isDisplay);
  const boot = displays.find((d) => d.bootVga === true);
  if (opts.display !== false && boot && displays.length === 1 && !out.has(boot.address)) out.set(boot.address, "is the host's only display");
  return out;
}
