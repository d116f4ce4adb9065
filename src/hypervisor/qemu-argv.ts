// The QEMU command-line adapter: the argv of a QEMU process (/proc/PID/cmdline, a `ps` line, `qm showcmd`
// output, a pasted script line) -> VmDefinition. QEMU started by hand, by a script or a systemd unit has no
// definition file: its command line is the definition.
//
// QEMU's option syntax, as qemu-options.hx and the option parsers define it: "-opt value" (or "--opt");
// values are "key=value" lists separated by commas, where ",," is a literal comma and a leading value
// without "=" belongs to the option's implied key (-device's driver, -name's guest, -m's size,
// -machine's type); -device, -object, -blockdev also take JSON ({"driver":"vfio-pci",...}, as libvirt
// writes them). A bare "key" later in the list means key=on.
import type { QemuIdentity, VmDefinition, VmPciAssignment } from './types.js';
import { normalisePciAddress } from '../pci/address.js';

/** One argument, with the line of the pasted text it was written on (null for /proc/PID/cmdline). */
export interface QemuArg {
  text: string;
  line: number | null;
}

export interface ParsedQemuCommand {
  /** argv[0] as given. */
  binary: string;
  name: string | null;
  /** Proxmox VMID (-id, or the pidfile /var/run/qemu-server/N.pid), else -uuid. */
  id: string | null;
  memoryKiB: number | null;
  hugepages: boolean;
  machine: string | null;
  viommu: string | null;
  firmware: 'bios' | 'uefi' | null;
  kvmHidden: boolean | null;
  hypervVendorId: string | null;
  devices: VmPciAssignment[];
}

/** argv[0] of a QEMU system emulator: qemu-system-<arch>, Proxmox's and Debian's kvm, RHEL's qemu-kvm. */
export function isQemuBinary(arg0: string): boolean {
  const base = arg0.slice(arg0.lastIndexOf('/') + 1);
  return /^qemu-system-[\w.-]+$/.test(base) || base === 'kvm' || base === 'qemu-kvm';
}

// Options that take no argument (DEF(..., 0, ...) in qemu-options.hx). An option not listed takes the next
// argument, unless that is itself an option.
const FLAGS = new Set([
  'enable-kvm', 'no-kvm', 'nodefaults', 'daemonize', 'no-shutdown', 'no-reboot', 'S', 's', 'snapshot', 'nographic', 'no-hpet',
  'no-acpi', 'full-screen', 'no-user-config', 'nouserconfig', 'mem-prealloc', 'no-frame', 'alt-grab', 'ctrl-grab', 'no-quit',
  'win2k-hack', 'rtc-td-hack', 'localtime', 'no-fd-bootchk', 'preconfig', 'only-migratable', 'enable-sync-profile', 'h', 'help',
  'version', 'semihosting', 'xen-attach', 'usb', 'singlestep', 'perfmap', 'jitdump', 'old-param',
]);

/** A key=value list as QEMU reads it (",," is a comma); a JSON object is flattened to dotted keys. */
export function qemuOptions(value: string, implied: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (value.trimStart().startsWith('{')) {
    try {
      flatten(JSON.parse(value) as unknown, '', out);
    } catch {
      // Not JSON after all (QEMU would refuse it too): nothing can be read from it.
    }
    return out;
  }
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === ',') {
      if (value[i + 1] === ',') {
        cur += ',';
        i++;
        continue;
      }
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  parts.push(cur);
  parts.forEach((p, k) => {
    const eq = p.indexOf('=');
    if (eq >= 0) out[p.slice(0, eq)] = p.slice(eq + 1);
    else if (k === 0 && implied !== null) out[implied] = p;
    else if (p !== '') out[p] = 'on';
  });
  return out;
}

function flatten(v: unknown, prefix: string, out: Record<string, string>): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (typeof v === 'string') out[prefix] = v;
  else if (typeof v === 'boolean') out[prefix] = v ? 'on' : 'off';
  else if (typeof v === 'number') out[prefix] = String(v);
}

/** QEMU's boolean spellings; null for anything else. */
function bool(v: string | undefined): boolean | null {
  if (v === undefined) return null;
  if (['on', 'yes', 'true', '1'].includes(v)) return true;
  if (['off', 'no', 'false', '0'].includes(v)) return false;
  return null;
}

const SUFFIX: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5, e: 1024 ** 6 };

/** A QEMU size ("8192", "8G", "1.5g", "512M"); a bare number is in `unit` (MiB for -m). KiB, or null. */
export function qemuSizeKiB(text: string, unit: 'm' | 'b'): number | null {
  const m = /^(\d+(?:\.\d+)?)([bkmgtpe])?$/i.exec(text.trim());
  if (!m) return null;
  const bytes = Number(m[1]) * SUFFIX[(m[2] ?? unit).toLowerCase()]!;
  return bytes > 0 ? Math.round(bytes / 1024) : null;
}

/** A PCI device's addr= ("0x10", "10.0", "0x1.0x2") as "slot.function" in hex; null when unreadable. */
function guestSlot(addr: string): string | null {
  const m = /^(?:0x)?([0-9a-f]{1,2})(?:\.(?:0x)?([0-7]))?$/i.exec(addr.trim());
  if (!m) return null;
  return `${parseInt(m[1]!, 16).toString(16).padStart(2, '0')}.${m[2] ?? '0'}`;
}

const VIOMMU: Record<string, string> = { 'intel-iommu': 'intel', 'amd-iommu': 'amd', 'virtio-iommu-pci': 'virtio', 'virtio-iommu': 'virtio' };
const UEFI_IMAGE = /ovmf|edk2|aavmf|qemu_efi/i;

function vfioAssignment(o: Record<string, string>, line: number | null, where: string): VmPciAssignment | null {
  // host= is the PCI address (segment 0 when not written, as QEMU assumes); sysfsdev= the device's
  // sysfs directory (an mdev's UUID directory is not a PCI function and is not read here).
  const fromSysfs = o['sysfsdev'] ? o['sysfsdev'].replace(/\/+$/, '').split('/').pop()! : null;
  const address = normalisePciAddress(o['host'] ?? fromSysfs ?? '', { segment: 0 });
  if (address === null) return null;
  const slot = o['addr'] !== undefined ? guestSlot(o['addr']) : null;
  const guest = o['bus'] !== undefined || slot !== null ? [o['bus'] ?? 'default bus', slot].filter((x) => x !== null).join(' ') : null;
  const romBar = o['rombar'] === undefined ? null : o['rombar'].trim() !== '0';
  return {
    label: `vfio-pci ${address}`,
    addresses: [address],
    mapping: null,
    managed: null,
    romBar,
    romFile: o['romfile'] ?? null,
    romFileFound: null,
    guestAddress: guest,
    multifunction: bool(o['multifunction']),
    primaryVga: bool(o['x-vga']) === true,
    pcie: null,
    where,
    line,
  };
}

/** Reads a QEMU argv (argv[0] included). `where` is the file or command the arguments came from. */
export function parseQemuCommand(args: readonly QemuArg[], where: string): ParsedQemuCommand {
  const binary = args[0]?.text ?? '';
  const base = binary.slice(binary.lastIndexOf('/') + 1);
  const x86 = /^qemu-system-(?:x86_64|i386)$/.test(base) || base === 'kvm' || base === 'qemu-kvm';
  const p: ParsedQemuCommand = { binary, name: null, id: null, memoryKiB: null, hugepages: false, machine: null, viommu: null, firmware: null, kvmHidden: null, hypervVendorId: null, devices: [] };
  let vmid: string | null = null;
  let uuid: string | null = null;
  let uefi = false;
  let bios: string | null = null;
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    if (!a.text.startsWith('-') || a.text === '-') continue;
    const opt = a.text.replace(/^--?/, '');
    const next = args[i + 1];
    if (FLAGS.has(opt) || next === undefined || (next.text.startsWith('-') && next.text.length > 1)) continue;
    i++;
    const v = next.text;
    switch (opt) {
      case 'name':
        p.name = qemuOptions(v, 'guest')['guest'] ?? p.name;
        break;
      case 'id':
        vmid = v;
        break;
      case 'uuid':
        uuid = v.toLowerCase();
        break;
      case 'pidfile': {
        // Proxmox keeps each VM's pid in /var/run/qemu-server/<vmid>.pid.
        const m = /\/qemu-server\/(\d+)\.pid$/.exec(v);
        if (m && vmid === null) vmid = m[1]!;
        break;
      }
      case 'm': {
        const size = qemuOptions(v, 'size')['size'];
        if (size !== undefined) p.memoryKiB = qemuSizeKiB(size, 'm');
        break;
      }
      case 'mem-path':
        if (/hugepages|hugetlbfs/i.test(v)) p.hugepages = true;
        break;
      case 'object': {
        const o = qemuOptions(v, 'qom-type');
        if (o['qom-type'] === 'memory-backend-file' && /hugepages|hugetlbfs/i.test(o['mem-path'] ?? '')) p.hugepages = true;
        if (o['qom-type'] === 'memory-backend-memfd' && bool(o['hugetlb']) === true) p.hugepages = true;
        break;
      }
      case 'machine':
      case 'M': {
        // Several -machine options are merged by QEMU; a later type= wins.
        const o = qemuOptions(v, 'type');
        if (o['type'] !== undefined) p.machine = o['type'];
        if (o['pflash0'] !== undefined) uefi = true;
        if (o['iommu'] !== undefined) p.viommu = o['iommu'];
        break;
      }
      case 'bios':
        bios = v;
        break;
      case 'pflash':
        uefi = true;
        break;
      case 'drive':
        if (qemuOptions(v, null)['if'] === 'pflash') uefi = true;
        break;
      case 'blockdev':
        if (Object.entries(qemuOptions(v, null)).some(([k, x]) => /(?:^|\.)filename$/.test(k) && UEFI_IMAGE.test(x))) uefi = true;
        break;
      case 'cpu': {
        const o = qemuOptions(v, 'model');
        for (const [k, x] of Object.entries(o)) {
          // "-feature" / "+feature" are feature=off / feature=on.
          const key = k.replace(/^[+-]/, '').replace(/_/g, '-');
          const val = k.startsWith('-') ? 'off' : k.startsWith('+') ? 'on' : x;
          if (key === 'kvm') p.kvmHidden = bool(val) === null ? null : !bool(val);
          else if (key === 'hv-vendor-id') p.hypervVendorId = val;
        }
        break;
      }
      case 'device': {
        const o = qemuOptions(v, 'driver');
        const driver = o['driver'] ?? '';
        if (driver === 'vfio-pci' || driver === 'vfio-pci-nohotplug') {
          const d = vfioAssignment(o, next.line ?? a.line, where);
          if (d) p.devices.push(d);
        } else if (VIOMMU[driver] !== undefined) p.viommu = VIOMMU[driver]!;
        break;
      }
      default:
        break;
    }
  }
  p.id = vmid ?? uuid;
  // Without -bios or a pflash drive, QEMU's PC machines boot the SeaBIOS it ships.
  p.firmware = uefi || (bios !== null && UEFI_IMAGE.test(bios)) ? 'uefi' : bios !== null || x86 ? 'bios' : null;
  return p;
}

/** The model of a parsed command line; `pid` names a VM that has no -name. */
export function qemuVm(p: ParsedQemuCommand, file: string, line: number | null, host: { runAs: QemuIdentity | null; pid: string | null }): VmDefinition {
  return {
    manager: 'qemu',
    name: p.name ?? p.id ?? (host.pid !== null ? `pid ${host.pid}` : '(unnamed)'),
    id: p.id,
    file,
    line,
    memoryKiB: p.memoryKiB,
    hugepages: p.hugepages,
    hardLimitKiB: null,
    lockedMemory: false,
    viommu: p.viommu,
    machine: p.machine,
    firmware: p.firmware,
    kvmHidden: p.kvmHidden,
    hypervVendorId: p.hypervVendorId,
    // A running process says nothing about whether it starts with the host.
    autostart: null,
    session: false,
    devices: p.devices,
    runAs: host.runAs,
  };
}

/** /proc/PID/cmdline: arguments separated (and ended) by NUL. */
export function cmdlineArgs(bytes: Buffer | string): QemuArg[] {
  const s = typeof bytes === 'string' ? bytes : bytes.toString('utf8');
  const parts = s.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((text) => ({ text, line: null }));
}
