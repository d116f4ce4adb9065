// What a kernel log says about the host as a whole: kernel release, command line, and which PCI
// functions exist (IDs from enumeration lines, IOMMU groups from group-add lines).

import { hasSegment } from '../pci/address.js';
import type { LogEvent } from './events/types.js';

export interface LogDevice {
  address: string;
  /** vendor:device, when an enumeration line named it. */
  id: string | null;
  class: string | null;
  iommuGroup: number | null;
}

export interface LogContext {
  /** From the last "Linux version" banner (the last boot in the log). */
  kernelRelease: string | null;
  /** From the last "Command line:" line. */
  cmdline: string | null;
  devices: Map<string, LogDevice>;
}

export function logContext(events: readonly LogEvent[]): LogContext {
  let kernelRelease: string | null = null;
  let cmdline: string | null = null;
  const devices = new Map<string, LogDevice>();
  const dev = (address: string): LogDevice => {
    let d = devices.get(address);
    if (!d) {
      d = { address, id: null, class: null, iommuGroup: null };
      devices.set(address, d);
    }
    return d;
  };
  for (const e of events) {
    if (e.kind === 'kernel-version' && typeof e.fields['release'] === 'string') kernelRelease = e.fields['release'];
    else if (e.kind === 'kernel-oops-cpu' && kernelRelease === null && typeof e.fields['release'] === 'string') kernelRelease = e.fields['release'];
    else if (e.kind === 'kernel-cmdline' && typeof e.fields['cmdline'] === 'string') cmdline = e.fields['cmdline'];
    else if (e.kind === 'pci-device' && e.device && hasSegment(e.device)) {
      const d = dev(e.device);
      d.id = typeof e.fields['id'] === 'string' ? e.fields['id'] : d.id;
      d.class = typeof e.fields['class'] === 'string' ? e.fields['class'] : d.class;
    } else if (e.kind === 'iommu-group-add' && e.device && hasSegment(e.device) && typeof e.fields['group'] === 'number') {
      dev(e.device).iommuGroup = e.fields['group'];
    }
  }
  return { kernelRelease, cmdline, devices };
}
