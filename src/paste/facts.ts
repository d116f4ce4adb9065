// What the recognised sections of a paste say, gathered before any of it becomes a snapshot. Several
// sections may speak about the same thing (a device in lspci, in a group listing and in the kernel log);
// this is where they are merged, with the more direct evidence winning.
import type {
  BlsEntry,
  CheckerClaim,
  Cmdline,
  CpuInfo,
  DmiInfo,
  DevNode,
  InitramfsInfo,
  InstalledKernel,
  Inference,
  InterruptsInfo,
  IomemEntry,
  KernelConfigChange,
  LoadedModule,
  LockdownLevel,
  ModprobeEntry,
  ModuleLoadEntry,
  NamedDevice,
  OsRelease,
  PciConfig,
  SourceRecord,
  ToolMessage,
} from '../snapshot/types.js';
import type { InputLine } from './types.js';
import type { VmDefinition } from '../hypervisor/types.js';
import { KernelLines } from './kernel-lines.js';

/**
 * How directly a section shows which driver owns a device: what the kernel reports now (lspci -k, sysfs)
 * beats a tool's own listing, which beats the prefix of the last kernel-log line about the device.
 */
export const DRIVER_FROM = { log: 1, tool: 2, lspci: 3 } as const;

export interface DeviceFacts {
  address: string;
  vendorId: string | null;
  deviceId: string | null;
  subsystemVendorId: string | null;
  subsystemDeviceId: string | null;
  /** Six hex digits when known; four when only base class and subclass were shown. */
  classCode: string | null;
  revision: string | null;
  vendorName: string | null;
  deviceName: string | null;
  subsystemName: string | null;
  className: string | null;
  /** undefined: nothing said which driver owns it; null: a listing that shows drivers showed none. */
  driver?: { name: string | null; rank: number; where: string };
  modules: string[] | null;
  iommuGroup: number | null;
  config: PciConfig | null;
  upstream: string[] | null;
  physfn: string | null;
  resetMethods: string[] | null;
  powerState: string | null;
  numaNode: number | null;
  where: string[];
}

export type { NamedDevice } from '../snapshot/types.js';

export interface KernelInputLine extends InputLine {
  /** The pasted command that printed it ("dmesg | grep -i vfio"), when a prompt showed one. */
  command?: string | null;
}

export class PasteFacts {
  readonly sources: Record<string, SourceRecord> = {};
  hostname: string | null = null;
  kernelRelease: string | null = null;
  kernelVersion: string | null = null;
  architecture: string | null = null;
  cmdline: Cmdline | null = null;
  osRelease: OsRelease | null = null;
  cpu: CpuInfo | null = null;
  dmi: DmiInfo | null = null;
  proxmox = false;
  installedKernels: InstalledKernel[] = [];
  kernelConfig: Record<string, string> | null = null;
  kernelConfigFrom: string | null = null;
  kernelConfigChanges: KernelConfigChange[] = [];
  secureBoot: boolean | null = null;
  setupMode: boolean | null = null;
  efi: boolean | null = null;
  lockdown: LockdownLevel | null = null;
  /** Group listings are complete for the groups they show. */
  readonly groups = new Map<number, Set<string>>();
  /** Groups known to exist without their members (ls /sys/kernel/iommu_groups). */
  readonly groupIds = new Set<number>();
  readonly devices = new Map<string, DeviceFacts>();
  /** Kernel-log lines, each with the command that printed it (its grep filter decides what absence means);
   * only those that can tell something are kept whole (kernel-lines.ts). */
  kernelLines = new KernelLines();
  modulesLoaded: LoadedModule[] | null = null;
  builtin: string[] | null = null;
  readonly moduleParams: Record<string, Record<string, string>> = {};
  readonly modprobe: ModprobeEntry[] = [];
  readonly loadAtBoot: ModuleLoadEntry[] = [];
  iomem: IomemEntry[] | null = null;
  interrupts: InterruptsInfo | null = null;
  vfioNodes: DevNode[] | null = null;
  vfioDeviceNodes: DevNode[] | null = null;
  kvmNode: DevNode | null = null;
  iommuNode: DevNode | null = null;
  grubDefault: { file: string; cmdlineLinux: string | null; cmdlineLinuxDefault: string | null } | null = null;
  kernelCmdlineFile: string | null = null;
  readonly blsEntries: BlsEntry[] = [];
  readonly toolMessages: ToolMessage[] = [];
  initramfs: InitramfsInfo | null = null;
  /** VM definitions read through the same adapters as collected ones (libvirt XML, qm config, QEMU argv). */
  readonly vms: VmDefinition[] = [];
  readonly libvirtNodedevs: string[] = [];
  readonly namedDevices: NamedDevice[] = [];
  /** RLIMIT_MEMLOCK as shown (ulimit -l, /proc/PID/limits, LimitMEMLOCK=), in KiB; null for unlimited. */
  memlock: { kib: number | null; where: string } | null = null;
  /** Facts concluded from others (a probe error that means "no IOMMU group"), with the reason. */
  readonly inferences: Inference[] = [];
  /** What other checkers concluded (virt-host-validate): claims, weighed below the kernel's lines. */
  readonly claims: CheckerClaim[] = [];

  // Membership sets beside the lists they guard: a paste of a million lines about one device must not
  // scan that device's growing list once per line.
  private readonly notedWhere = new Map<string, Set<string>>();
  private readonly deviceWhere = new Map<string, Set<string>>();
  private readonly toolKeys = new Set<string>();
  private readonly nameKeys = new Set<string>();

  /** Records that a source was found in the paste (status read, path = where it is). */
  note(id: string, where: string, message?: string): void {
    const prev = this.sources[id];
    let seen = this.notedWhere.get(id);
    if (!seen || prev?.status !== 'read' || !prev.path) {
      seen = new Set();
      this.notedWhere.set(id, seen);
    }
    const path = seen.size > 0 && !seen.has(where) ? `${prev!.path}, ${where}` : seen.size > 0 ? prev!.path! : where;
    seen.add(where);
    this.sources[id] = message ? { status: 'read', path, message } : { status: 'read', path };
  }

  device(address: string, where?: string): DeviceFacts {
    let d = this.devices.get(address);
    if (!d) {
      d = {
        address,
        vendorId: null,
        deviceId: null,
        subsystemVendorId: null,
        subsystemDeviceId: null,
        classCode: null,
        revision: null,
        vendorName: null,
        deviceName: null,
        subsystemName: null,
        className: null,
        modules: null,
        iommuGroup: null,
        config: null,
        upstream: null,
        physfn: null,
        resetMethods: null,
        powerState: null,
        numaNode: null,
        where: [],
      };
      this.devices.set(address, d);
      this.deviceWhere.set(address, new Set());
    }
    const seen = this.deviceWhere.get(address)!;
    if (where && !seen.has(where)) {
      seen.add(where);
      d.where.push(where);
    }
    return d;
  }

  /** Sets the driver unless a more direct source already said which it is; among equals the later wins. */
  setDriver(address: string, name: string | null, rank: number, where: string): void {
    const d = this.device(address, where);
    if (d.driver && d.driver.rank > rank) return;
    d.driver = { name, rank, where };
  }

  addToGroup(group: number, address: string): void {
    let g = this.groups.get(group);
    if (!g) {
      g = new Set();
      this.groups.set(group, g);
    }
    g.add(address);
    this.device(address).iommuGroup = group;
  }

  addTool(m: ToolMessage): void {
    const key = `${m.line}\u0000${m.source}`;
    if (this.toolKeys.has(key)) return;
    this.toolKeys.add(key);
    this.toolMessages.push(m);
  }

  name(address: string, by: string, where: string): void {
    const key = `${address}\u0000${by}`;
    if (this.nameKeys.has(key)) return;
    this.nameKeys.add(key);
    this.namedDevices.push({ address, by, where });
  }
}
