// snapshot.hypervisor: what the VM managers on the host (libvirt, Proxmox VE, QEMU started by hand) define
// and how they run QEMU. One model whatever the source: collected from files (live or under --root), from
// virsh when live, or read from pasted text; each source has one adapter (libvirt.ts, proxmox.ts, qemu-argv.ts).

export type VmManager = 'libvirt' | 'proxmox' | 'qemu';

/** One PCI assignment of a VM: a libvirt <hostdev type='pci'>, a Proxmox hostpciN line, a QEMU -device vfio-pci. */
export interface VmPciAssignment {
  /** "hostdev 0000:01:00.0" (libvirt), "hostpci0" (Proxmox), "vfio-pci 0000:01:00.0" (QEMU). */
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
  /** Where the guest sees it: libvirt's guest <address>, QEMU's bus= and addr= ("pci.6 00.0"); null when not said. */
  guestAddress: string | null;
  /** The guest-side address has multifunction='on' (libvirt) / several functions in one hostpci (Proxmox). */
  multifunction: boolean | null;
  /** The device is the guest's primary VGA (Proxmox x-vga=1, QEMU x-vga=on). */
  primaryVga: boolean;
  /** Proxmox pcie=1. */
  pcie: boolean | null;
  /** Host path, command or pasted file it came from, and the line there (when the format has lines). */
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
  /** Proxmox VMID; libvirt domain uuid; QEMU -uuid; null when the source does not say. */
  id: string | null;
  /** Host path, command ("virsh dumpxml win10", "/proc/1234/cmdline") or pasted file the definition came from. */
  file: string;
  /** Line of `file` the definition starts at (pasted text); null when it is the whole file. */
  line: number | null;
  memoryKiB: number | null;
  /** Guest memory backed by huge pages (libvirt <hugepages/>, Proxmox hugepages:, QEMU mem-path). */
  hugepages: boolean;
  /** The locked-memory limit QEMU is held to: libvirt <memtune><hard_limit> (libvirt makes it the process's
   *  RLIMIT_MEMLOCK), or a running QEMU's RLIMIT_MEMLOCK when it lacks CAP_IPC_LOCK; null when none holds it
   *  or the source does not say. */
  hardLimitKiB: number | null;
  /** <memoryBacking><locked/>. */
  lockedMemory: boolean;
  /** Model of the guest's virtual IOMMU (<iommu model=...>); null when it has none. */
  viommu: string | null;
  /** Machine type as configured ("pc-q35-8.2", "q35", "pc-i440fx-8.1"); null when not said (QEMU's default, i440fx). */
  machine: string | null;
  /** Guest firmware: uefi (OVMF) or bios (SeaBIOS); null when not said. */
  firmware: 'bios' | 'uefi' | null;
  /** The KVM signature is hidden from the guest (<kvm><hidden state='on'/>, -cpu kvm=off); null when not said. */
  kvmHidden: boolean | null;
  /** Hyper-V vendor id shown to the guest (<hyperv><vendor_id value=...>, hv_vendor_id=); null when none. */
  hypervVendorId: string | null;
  /** Started with the host (libvirt autostart link, Proxmox onboot: 1); null when the source cannot say (pasted). */
  autostart: boolean | null;
  /** libvirt session domains run as the user, without the system daemon's help. */
  session: boolean;
  devices: VmPciAssignment[];
  /** Who QEMU runs as; null when the source does not say (pasted text of a host not read). */
  runAs: QemuIdentity | null;
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
