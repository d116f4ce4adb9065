// Readers of earlier snapshot layouts: each upgrade turns one version into the next, so a stored snapshot
// of any earlier release loads as the current layout (a baseline taken last month must not be lost).
// They reshape only; the schema validation that follows judges what they produce.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Version 1 kept label, hypervisor and the paste-only sections in one untyped `extra` object. */
function upgrade1to2(doc: Json): Json {
  const { extra, ...rest } = doc;
  const out: Json = { ...rest, schemaVersion: 2 };
  if (extra === undefined) return out;
  // Not an object: left in place for the validator to name.
  if (!isObject(extra)) return { ...out, extra };
  // Other sections version 1 allowed ("not constrained by this schema version") were never read: dropped.
  const { label, hypervisor, libvirt, proxmox, limits, kernelConfigChanges, inferences, namedDevices } = extra;
  if (label !== undefined) out['label'] = label;
  if (hypervisor !== undefined) out['hypervisor'] = hypervisor;
  const pasted = [libvirt, proxmox, limits, kernelConfigChanges, inferences, namedDevices].some((v) => v !== undefined);
  if (pasted) {
    // Version 1 wrote memlockKiB; the section now names the limit as the hypervisor section does.
    const memlock = isObject(limits) ? { limitKiB: limits['memlockKiB'], from: limits['from'] } : (limits ?? null);
    out['pasted'] = {
      libvirt: libvirt ?? null,
      proxmox: proxmox ?? null,
      memlock,
      kernelConfigChanges: kernelConfigChanges ?? [],
      inferences: inferences ?? [],
      namedDevices: namedDevices ?? [],
    };
  }
  return out;
}

const UPGRADES: Record<number, (doc: Json) => Json> = { 1: upgrade1to2 };

/** The versions an upgrade chain starts from. */
export const READABLE_VERSIONS: readonly number[] = Object.keys(UPGRADES).map(Number);

/** Applies the upgrades from the document's version up to `target`; a version without an upgrade is returned as is. */
export function upgradeSnapshot(doc: Json, target: number): Json {
  let cur = doc;
  while (typeof cur['schemaVersion'] === 'number' && cur['schemaVersion'] < target) {
    const step = UPGRADES[cur['schemaVersion']];
    if (!step) break;
    cur = step(cur);
  }
  return cur;
}
