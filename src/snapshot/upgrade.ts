// Readers of earlier snapshot layouts: each upgrade turns one version into the next, so a stored snapshot
// of any earlier release loads as the current layout (a baseline taken last month must not be lost).
// They reshape only; the schema validation that follows judges what they produce.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** "paste.txt:12-28 (14)" -> file and first line, as version 2 keeps them apart. */
function fileAndLine(where: unknown): { file: string; line: number | null } {
  const m = /^(.*?):(\d+)(?:-\d+)?(?: \((\d+)\))?$/.exec(str(where) ?? '');
  return m ? { file: m[1]!, line: Number(m[3] ?? m[2]) } : { file: str(where) ?? 'pasted input', line: null };
}

function vm(manager: 'libvirt' | 'proxmox', name: string, id: string | null, where: unknown, memoryKiB: unknown, devices: Json[], lockedMemory = false): Json {
  const { file, line } = fileAndLine(where);
  return {
    manager, name, id, file, line, memoryKiB: typeof memoryKiB === 'number' ? memoryKiB : null, hugepages: false, hardLimitKiB: null, lockedMemory, viommu: null,
    machine: null, firmware: null, kvmHidden: null, hypervVendorId: null, autostart: null, session: false, devices, runAs: null,
  };
}

function assignment(label: string, addresses: unknown[], where: unknown, o: { mapping?: string | null; managed?: unknown; options?: Json } = {}): Json {
  const opt = o.options ?? {};
  const on = (k: string) => (opt[k] === undefined ? null : ['1', 'on', 'yes', 'true'].includes(String(opt[k])));
  const romfile = str(opt['romfile']);
  const { file, line } = fileAndLine(where);
  return {
    label, addresses, mapping: o.mapping ?? null, managed: typeof o.managed === 'boolean' ? o.managed : null, romBar: on('rombar'),
    romFile: romfile === null ? null : romfile.startsWith('/') ? romfile : `/usr/share/kvm/${romfile}`, romFileFound: null, guestAddress: null,
    multifunction: addresses.length > 1 || addresses.some((a) => typeof a === 'string' && !a.includes('.')) ? true : null,
    primaryVga: on('x-vga') === true, pcie: on('pcie'), where: file, line,
  };
}

/** Version 1 kept pasted VM definitions as loose hostdev and hostpci lists; version 2 has one VM model. */
function pastedVms(libvirt: unknown, proxmox: unknown): Json[] {
  const out: Json[] = [];
  if (isObject(libvirt)) {
    const hostdevs = list(libvirt['hostdevs']);
    const domains = list(libvirt['domains']);
    const devicesOf = (name: string | null) => hostdevs.filter((h) => str(h['domain']) === name).map((h) => assignment(`hostdev ${String(h['address'])}`, [h['address']], h['where'], { managed: h['managed'] }));
    for (const d of domains) out.push(vm('libvirt', str(d['name']) ?? '(unnamed)', null, d['where'], d['memoryKiB'], devicesOf(str(d['name'])), d['locked'] === true));
    const orphans = hostdevs.filter((h) => !domains.some((d) => str(d['name']) === str(h['domain'])));
    if (orphans.length) out.push(vm('libvirt', '(unnamed)', null, orphans[0]!['where'], null, orphans.map((h) => assignment(`hostdev ${String(h['address'])}`, [h['address']], h['where'], { managed: h['managed'] }))));
  }
  if (isObject(proxmox)) {
    const hostpci = list(proxmox['hostpci']);
    const devicesOf = (vmid: string | null) =>
      hostpci.filter((h) => str(h['vmid']) === vmid).map((h) => assignment(String(h['slot']), Array.isArray(h['addresses']) ? h['addresses'] : [], h['where'], { mapping: str(h['mapping']), options: isObject(h['options']) ? h['options'] : {} }));
    for (const v of list(proxmox['vms'])) {
      const vmid = str(v['vmid']);
      out.push(vm('proxmox', vmid ?? 'unnamed', vmid, v['where'], typeof v['memoryMiB'] === 'number' ? v['memoryMiB'] * 1024 : null, devicesOf(vmid)));
    }
  }
  return out;
}

/** Fields version 2 added to the collected VM model, as version 1 could not say them. */
function upgradeHypervisor(h: unknown): unknown {
  if (!isObject(h) || !Array.isArray(h['vms'])) return h;
  const vms = h['vms'].map((v) =>
    isObject(v)
      ? {
          ...v,
          line: v['line'] ?? null,
          hugepages: v['hugepages'] ?? false,
          machine: v['machine'] ?? null,
          firmware: v['firmware'] ?? null,
          kvmHidden: v['kvmHidden'] ?? null,
          hypervVendorId: v['hypervVendorId'] ?? null,
          devices: Array.isArray(v['devices']) ? v['devices'].map((a) => (isObject(a) ? { ...a, guestAddress: a['guestAddress'] ?? null } : a)) : v['devices'],
        }
      : v,
  );
  return { ...h, vms };
}

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
  if (hypervisor !== undefined) out['hypervisor'] = upgradeHypervisor(hypervisor);
  const vms = pastedVms(libvirt, proxmox);
  const nodedevs = isObject(libvirt) && Array.isArray(libvirt['nodedevs']) && libvirt['nodedevs'].length ? libvirt['nodedevs'] : null;
  if (hypervisor === undefined && (vms.length || nodedevs)) {
    out['hypervisor'] = { vms, pveMappings: null, node: null, libvirtNodedevs: nodedevs, memlock: { services: [], limitsConf: [] } };
  }
  if (vms.length && Array.isArray(out['pci'])) {
    // Version 1 made a placeholder device ([ffff:ffff], nothing read) for a pasted hostdev the paste's lspci lacked.
    out['pci'] = out['pci'].filter((d) => !(isObject(d) && d['vendorId'] === 'ffff' && d['deviceId'] === 'ffff' && vms.some((v) => (v['devices'] as Json[]).some((a) => (a['addresses'] as unknown[]).includes(d['address'])))));
  }
  // Devices version 1 listed as named by a VM manager are the VMs' assignments now.
  const named = Array.isArray(namedDevices) ? namedDevices.filter((n) => !(isObject(n) && /^(?:libvirt domain|Proxmox (?:VM \d+ )?hostpci)/.test(String(n['by'])))) : namedDevices;
  const pasted = [limits, kernelConfigChanges, inferences].some((v) => v !== undefined) || (Array.isArray(named) && named.length > 0);
  if (pasted) {
    // Version 1 wrote memlockKiB; the section now names the limit as the hypervisor section does.
    const memlock = isObject(limits) ? { limitKiB: limits['memlockKiB'], from: limits['from'] } : (limits ?? null);
    out['pasted'] = { memlock, kernelConfigChanges: kernelConfigChanges ?? [], inferences: inferences ?? [], namedDevices: named ?? [] };
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
