// snapshot.hypervisor: what the VM managers on the host (libvirt, Proxmox VE) define and how they
// run QEMU. Collected from files (live or under --root) and, when live, from virsh.

export type VmManager = 'libvirt' | 'proxmox';

/** One PCI assignment of a VM: a libvirt <hostdev type='pci'> or a Proxmox hostpciN line. */
export interface VmPciAssignment {
  /** "hostdev 0000:01:00.0" (libvirt) or "hostpci0" (Proxmox). */
  label: string;
  /** Full addresses ("0000:01:00.0") or slots ("0000:01:00": every function of the slot); [] with a mapping. */
  addresses: string[];
  /** Proxmox resource mapping name (mapping=gpu); the addresses then come from /etc/pve/mapping/pci.cfg. */
  mapping: string | null;
  /** libvirt managed='yes': libvirt binds the device to vfio-pci itself at start. */
  managed: boolean | null;
  /** ROM BAR exposed to the guest: libvirt <rom bar>, Proxmox rombar; null when not said (default on). */
  romBar: boolean | null;
  /** A ROM image given instead of the device's own (absolute host path as configured). */
  romFile: string | null;
  /** Whether romFile exists on the host (checked at collection); null without a romFile. */
  romFileFound: boolean | null;
  /** The guest-side address has multifunction='on' (libvirt) / several functions in one hostpci (Proxmox). */
  multifunction: boolean | null;
  /** The device is the guest's primary VGA (Proxmox x-vga=1). */
  primaryVga: boolean;
  /** Proxmox pcie=1. */
  pcie: boolean | null;
  /** Host path and line (when the format has lines) it came from. */
  where: string;
  line: number | null;
}

/** The identity QEMU runs as, resolved against /etc/passwd and /etc/group. */
export interface QemuIdentity {
  user: string;
  group: string;
  uid: number | null;
  gid: number | null;
  /** Every group id the user holds (primary and supplementary). */
  gids: number[];
  /** Where it was decided: "/etc/libvirt/qemu.conf", "libvirt default", "Proxmox runs QEMU as root". */
  from: string;
  /** libvirt dynamic_ownership: libvirt hands /dev/vfio/<group> to this user when the VM starts. */
  dynamicOwnership: boolean;
}

export interface VmDefinition {
  manager: VmManager;
  /** Domain name (libvirt) or the name: key (Proxmox; the VMID when absent). */
  name: string;
  /** Proxmox VMID; libvirt domain uuid. */
  id: string | null;
  file: string;
  memoryKiB: number | null;
  /** libvirt <memtune><hard_limit>: libvirt uses it as the process's locked-memory limit. */
  hardLimitKiB: number | null;
  /** <memoryBacking><locked/>. */
  lockedMemory: boolean;
  /** Model of the guest's virtual IOMMU (<iommu model=...>); null when it has none. */
  viommu: string | null;
  /** Started with the host (libvirt autostart link, Proxmox onboot: 1). */
  autostart: boolean;
  /** libvirt session domains run as the user, without the system daemon's help. */
  session: boolean;
  devices: VmPciAssignment[];
  runAs: QemuIdentity;
}

export interface PveMappingEntry {
  node: string | null;
  /** Function addresses or slots, as the entry's path= lists them (';' separated). */
  paths: string[];
  /** vendor:device the mapping recorded. */
  id: string | null;
  subsystemId: string | null;
  iommuGroup: number | null;
  line: number;
}

export interface PveMapping {
  name: string;
  entries: PveMappingEntry[];
  where: string;
}

export interface MemlockSetting {
  /** KiB; null means unlimited (infinity). */
  limitKiB: number | null;
  /** "LimitMEMLOCK=8M", "@libvirt hard memlock 1048576". */
  text: string;
  where: string;
  line: number;
}

/** LimitMEMLOCK of a libvirt daemon unit or drop-in (a MemlockSetting with its unit). */
export interface ServiceMemlockSetting {
  unit: string;
  limitKiB: number | null;
  text: string;
  where: string;
  line: number;
}

/** A memlock line of /etc/security/limits.conf or limits.d (a MemlockSetting with its domain and type). */
export interface LimitsConfMemlockSetting {
  /** user, @group or *. */
  domain: string;
  /** soft, hard or -. */
  type: string;
  limitKiB: number | null;
  text: string;
  where: string;
  line: number;
}

export interface HypervisorInfo {
  vms: VmDefinition[];
  /** /etc/pve/mapping/pci.cfg; null when absent. */
  pveMappings: PveMapping[] | null;
  /** The Proxmox node name (mapping entries are per node). */
  node: string | null;
  /** libvirt node device names (pci_0000_01_00_0), from virsh nodedev-list --cap pci; null when not available. */
  libvirtNodedevs: string[] | null;
  /** Set only for analysis (check --vm): the VM (name or id) the check is focused on; never collected. */
  focus?: string | null;
  memlock: {
    /** LimitMEMLOCK of the libvirt daemons' units and drop-ins. */
    services: ServiceMemlockSetting[];
    /** memlock lines of /etc/security/limits.conf and limits.d (PAM sessions only). */
    limitsConf: LimitsConfMemlockSetting[];
  };
}
