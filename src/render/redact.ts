// --redact: output that can be posted publicly. Values that identify a machine or a person are replaced
// by placeholders that stay the same within one run (the same MAC address is <mac-1> everywhere), so
// the report still says which lines speak of the same thing. Known values come from the snapshot
// (its hostname, the users QEMU runs as and that own device nodes); the rest is found by shape.
import type { Snapshot } from '../snapshot/types.js';

type Kind = 'host' | 'user' | 'serial' | 'mac' | 'uuid' | 'ip';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const SHAPES: { kind: Kind; re: RegExp; group?: number }[] = [
  { kind: 'uuid', re: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi },
  { kind: 'mac', re: /\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b/gi },
  // At least three groups and a "::", or all eight: PCI addresses (0000:01:00.0) and times have fewer.
  { kind: 'ip', re: /(?<![\w:])(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,5})?)(?![\w:])/gi },
  { kind: 'ip', re: new RegExp(`(?<![\\d.])${OCTET}(?:\\.${OCTET}){3}(?![\\d.]|-\\d)`, 'g') },
  // lspci's "Device Serial Number 00-11-...", DMI and disk serials, libvirt's <serial>.
  { kind: 'serial', re: /(Serial Number:?\s+|serial[=:]\s*|<serial>)([^\s<",;]+)/gi, group: 2 },
];

/**
 * The values of the enum fields of the report and snapshot schemas, by field name: words of the program's
 * own vocabulary, which name no machine (a test keeps this equal to the schemas' enums).
 */
export const CLOSED_VOCABULARY: Readonly<Record<string, readonly string[]>> = {
  cpuVendor: ['amd', 'intel', 'other'],
  vendor: ['amd', 'intel', 'other'],
  family: ['alpine', 'arch', 'debian', 'fedora', 'nixos', 'other', 'proxmox', 'rhel', 'suse'],
  firmware: ['bios', 'uefi'],
  kind: ['alias', 'amd', 'blacklist', 'install', 'intel', 'live', 'options', 'other', 'paste', 'remove', 'root', 'softdep', 'sos'],
  layer: ['binding', 'device', 'firmware', 'hypervisor', 'isolation', 'kernel', 'modules'],
  untrustedUntil: ['binding', 'device', 'firmware', 'hypervisor', 'isolation', 'kernel', 'modules'],
  loader: ['grub', 'kernelstub', 'proxmox-boot-tool', 'systemd-boot', 'unknown'],
  lockdown: ['confidentiality', 'integrity', 'none'],
  manager: ['libvirt', 'proxmox', 'qemu'],
  name: ['vfio-doctor'],
  origin: ['dmesg', 'file', 'journalctl', 'kern.log', 'messages', 'syslog'],
  portType: ['downstream-port', 'endpoint', 'legacy-endpoint', 'pci-to-pcie-bridge', 'pcie-to-pci-bridge', 'rc-event-collector', 'rc-integrated-endpoint', 'root-port', 'unknown', 'upstream-port'],
  powerState: ['D0', 'D1', 'D2', 'D3hot'],
  role: ['companion', 'target'],
  severity: ['fail', 'info', 'warn'],
  stage: ['boot', 'initramfs'],
  status: ['absent', 'broken', 'denied', 'error', 'fail', 'healthy', 'note', 'pass', 'read', 'undetermined', 'warn', 'warning'],
  tool: ['cloud-hypervisor', 'dkms', 'dpdk', 'dracut', 'kubevirt', 'libvirt', 'mkinitcpio', 'modprobe', 'mokutil', 'other', 'package-manager', 'proxmox', 'qemu', 'shell', 'update-initramfs'],
  type: ['block', 'char', 'dir', 'other'],
};

// Accounts every distribution has: naming them identifies nobody.
const SYSTEM_ACCOUNTS = new Set(['root', 'nobody', 'kvm', 'qemu', 'libvirt', 'libvirt-qemu', 'libvirt-dnsmasq', 'wheel', 'video', 'render', 'input', 'vfio', 'disk', 'users']);

export class Redactor {
  private readonly seen = new Map<string, string>();
  private readonly counts = new Map<Kind, number>();
  private readonly known: { kind: Kind; re: RegExp }[];

  constructor(known: { kind: Kind; value: string }[]) {
    const usable = known.filter((k) => k.value.length >= 2).sort((a, b) => b.value.length - a.value.length);
    this.known = usable.map((k) => ({ kind: k.kind, re: new RegExp(`(?<![\\w.-])${k.value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`, 'g') }));
  }

  private placeholder(kind: Kind, value: string): string {
    const key = `${kind}\u0000${value.toLowerCase()}`;
    let p = this.seen.get(key);
    if (!p) {
      const n = (this.counts.get(kind) ?? 0) + 1;
      this.counts.set(kind, n);
      p = `<${kind}-${n}>`;
      this.seen.set(key, p);
    }
    return p;
  }

  /**
   * A JSON value with every string redacted as text() does, except a word of a closed vocabulary in its
   * own field: a host named "debian" or "fedora" (those distributions' default hostnames) must not turn
   * host.family into a placeholder, or the JSON would no longer be what its schema says. Object keys
   * are the schema's names and source ids, and are kept.
   */
  json(value: unknown, key: string | null = null): unknown {
    if (typeof value === 'string') return key !== null && CLOSED_VOCABULARY[key]?.includes(value) ? value : this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.json(v, key));
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.json(v, k)]));
  }

  text(s: string): string {
    let out = s;
    for (const k of this.known) out = out.replace(k.re, (m) => this.placeholder(k.kind, m));
    for (const shape of SHAPES) {
      out = out.replace(shape.re, (...m: string[]) => {
        if (shape.group === undefined) return this.placeholder(shape.kind, m[0]!);
        const value = m[shape.group]!;
        return m[1]! + this.placeholder(shape.kind, value);
      });
    }
    return out;
  }
}

/** A redactor that knows this snapshot's hostname and the user names in it. */
export function redactorFor(snap: Snapshot): Redactor {
  const known: { kind: Kind; value: string }[] = [];
  const host = snap.host.hostname;
  if (host) {
    known.push({ kind: 'host', value: host });
    const short = host.split('.')[0]!;
    if (short !== host) known.push({ kind: 'host', value: short });
  }
  const users = new Set<string>();
  const runAs = (vm: { runAs?: { user?: string | null; group?: string | null } }) => [vm.runAs?.user, vm.runAs?.group];
  for (const vm of snap.hypervisor?.vms ?? []) for (const u of runAs(vm as never)) if (u) users.add(u);
  for (const n of [...(snap.devnodes.vfio ?? []), ...(snap.devnodes.vfioDevices ?? [])]) for (const u of [n.owner, n.group]) if (u) users.add(u);
  for (const u of users) if (!SYSTEM_ACCOUNTS.has(u) && !/^\d+$/.test(u)) known.push({ kind: 'user', value: u });
  return new Redactor(known);
}
