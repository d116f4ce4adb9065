import fs from 'node:fs';
import zlib from 'node:zlib';
import { loadPciIds } from '../../pci/ids.js';
import { note, type CollectContext } from '../context.js';
import type { NameLookup } from './pci.js';
import type { PciNames } from '../../snapshot/types.js';

// Where distributions put the PCI id database (Debian: pci.ids package; Fedora/Arch: hwdata).
const PCI_IDS_PATHS = ['/usr/share/misc/pci.ids', '/usr/share/hwdata/pci.ids', '/usr/share/pci.ids', '/usr/share/misc/pci.ids.gz'];

function readIds(read: (p: string) => Buffer | null): { path: string; data: Buffer } | null {
  for (const p of PCI_IDS_PATHS) {
    const raw = read(p);
    if (!raw) continue;
    try {
      return { path: p, data: p.endsWith('.gz') ? zlib.gunzipSync(raw) : raw };
    } catch {
      continue;
    }
  }
  return null;
}

/** A name lookup from the host's pci.ids; for a copied tree without one, this machine's file. */
export function loadPciNames(ctx: CollectContext): NameLookup | null {
  let found = readIds((p) => {
    const r = ctx.fs.readBytes(p, 16 << 20);
    return r.ok ? r.value : null;
  });
  let where = found?.path;
  if (!found && !ctx.live) {
    found = readIds((p) => {
      try {
        return fs.readFileSync(p);
      } catch {
        return null;
      }
    });
    where = found ? `${found.path} (of the machine running vfio-doctor)` : undefined;
  }
  if (!found) {
    note(ctx, 'pci.ids', { status: 'absent', path: PCI_IDS_PATHS.join(' | '), message: 'no PCI id database: devices are shown by number only' });
    return null;
  }
  note(ctx, 'pci.ids', { status: 'read', path: where! });
  const db = loadPciIds(found.data);
  // A large host repeats a few models hundreds of times: each set of ids is looked up once, and every
  // function gets its own copy of the names.
  const seen = new Map<string, PciNames>();
  return (d) => {
    const key = `${d.vendorId} ${d.deviceId} ${d.subsystemVendorId} ${d.subsystemDeviceId} ${d.classCode}`;
    let names = seen.get(key);
    if (names === undefined) {
      names = db.lookup(d.vendorId, d.deviceId, d.subsystemVendorId, d.subsystemDeviceId, d.classCode);
      seen.set(key, names);
    }
    return { ...names };
  };
}
