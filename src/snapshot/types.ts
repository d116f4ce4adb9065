// The passthrough health snapshot: everything collection read from one host, as data.
// Analysis reads only this; collection writes only this. Field docs live in schema/snapshot.schema.json.
import type { HypervisorInfo } from '../hypervisor/types.js';

/** 2: the untyped `extra` bag of version 1 became the typed sections label, hypervisor and pasted; pasted VM
 *  definitions are VMs of the hypervisor section, like collected ones. */
export const SCHEMA_VERSION = 2;

/** How one source fared: read, not there, not allowed (not root), or failed (with the message). */
export type SourceStatus = 'read' | 'absent' | 'denied' | 'error';

export interface SourceRecord {
  status: SourceStatus;
  /** Host path (as on the host, not prefixed with --root) or the command line run. */
  path?: string;
  command?: string[];
  message?: string;
}

export type Origin =
  | { kind: 'live' }
  | { kind: 'root'; root: string }
  | { kind: 'sos'; path: string }
  | { kind: 'paste'; files: string[] };

export interface Snapshot {
  schemaVersion: number;
  tool: { name: 'vfio-doctor'; version: string };
  collectedAt: string;
  origin: Origin;
  /** Whether the collector ran as root (a non-root run cannot see everything); null when unknown (a copied tree). */
  privileged: boolean | null;
  /** Keyed by source id (e.g. "proc/cmdline", "kernel-log"). */
  sources: Record<string, SourceRecord>;
  host: HostInfo;
  kernelConfig: KernelConfig | null;
  firmware: FirmwareInfo;
  iommu: IommuInfo;
  kernelLog: KernelLogSection | null;
  pci: PciDevice[];
  modules: ModulesInfo;
  devnodes: DevNodesInfo;
  iomem: IomemEntry[] | null;
  interrupts: InterruptsInfo | null;
  boot: BootConfig;
  /** Devices the host itself depends on: passing them through would take the host down. */
  hostCritical: HostCriticalDevices;
  /** What the running kernel's initramfs holds (VFIO modules, host drivers, modprobe configuration inside). */
  initramfs: InitramfsInfo | null;
  /** Error and status lines of user-space tools (QEMU, libvirt, initramfs generators ...), from their logs or pasted output. */
  toolMessages: ToolMessage[];
  /** The label given at snapshot --save --label: somebody's baseline. */
  label?: string;
  /** VM definitions, how QEMU runs and its limits; absent when nothing was looked for (pasted input without any). */
  hypervisor?: HypervisorInfo;
  /** What captured text (pasted output, a sosreport's command outputs) states beyond the host sections. */
  pasted?: PastedEvidence;
}

// ---------------------------------------------------------------- pasted evidence

/** A device the VM manager named: it is what the user tries to pass through. */
export interface NamedDevice {
  address: string;
  by: string;
  where: string;
}

/** A kernel configuration option a pasted diff shows changing. */
export interface KernelConfigChange {
  option: string;
  before: string | null;
  after: string | null;
  where: string;
}

/** A fact concluded from others (a probe error that means "no IOMMU group"), with the reason. */
export interface Inference {
  what: string;
  because: string;
  where: string;
}

/** The layers of the chain, as analyze/layers.ts names them. */
export type ClaimLayer = 'firmware' | 'kernel' | 'modules' | 'binding' | 'isolation' | 'device' | 'hypervisor';

/**
 * What another checker (virt-host-validate, a vendor script) concluded, as it printed it. A claim, not a
 * fact: it may point to a layer when nothing else speaks, and never outweighs the kernel's own lines.
 */
export interface CheckerClaim {
  checker: string;
  /** FAIL / WARN / NOTE lines are 'fail' / 'warn' / 'note'; PASS is 'pass'. */
  status: 'fail' | 'warn' | 'note' | 'pass';
  /** What was checked, in the checker's words. */
  check: string;
  /** The layer and cause the claim is about, when it is about one this tool judges (the names of analyze/layers.ts). */
  layer: ClaimLayer | null;
  cause: string | null;
  where: string;
  text: string;
}

export interface PastedEvidence {
  /** RLIMIT_MEMLOCK as shown (ulimit -l, /proc/PID/limits, LimitMEMLOCK=); limitKiB null for unlimited. */
  memlock: { limitKiB: number | null; from: string } | null;
  kernelConfigChanges: KernelConfigChange[];
  inferences: Inference[];
  namedDevices: NamedDevice[];
  claims?: CheckerClaim[];
}

// ---------------------------------------------------------------- host

export type CpuVendor = 'intel' | 'amd' | 'other';
export type DistroFamily = 'debian' | 'proxmox' | 'fedora' | 'rhel' | 'suse' | 'arch' | 'alpine' | 'nixos' | 'other';

export interface CmdlineToken {
  key: string;
  /** null for a bare flag ("quiet"). */
  value: string | null;
  raw: string;
}

/** The command-line options that decide IOMMU/VFIO behaviour, pulled out of the token list. */
export interface IommuCmdline {
  intelIommu: string[] | null;
  amdIommu: string[] | null;
  iommu: string | null;
  iommuPassthrough: string | null;
  iommuStrict: string | null;
  intremap: string | null;
  vfioPciIds: string[] | null;
  allowUnsafeInterrupts: string | null;
  pcieAcsOverride: string | null;
  pci: string[];
  initcallBlacklist: string[];
  video: string[];
  modprobeBlacklist: string[];
  rdDriverPre: string[];
  rdDriverBlacklist: string[];
  lockdown: string | null;
  nox2apic: boolean;
  /** Other vfio* / iommu* options not listed above ("vfio.enable_unsafe_noiommu_mode=1"). */
  other: string[];
}

export interface Cmdline {
  raw: string;
  tokens: CmdlineToken[];
  iommu: IommuCmdline;
}

export interface OsRelease {
  id: string | null;
  idLike: string[];
  versionId: string | null;
  prettyName: string | null;
  family: DistroFamily;
}

export interface CpuInfo {
  vendor: CpuVendor;
  vendorId: string | null;
  modelName: string | null;
  /** Hardware virtualisation flags; vmx (Intel VT-x) or svm (AMD-V). */
  vmx: boolean;
  svm: boolean;
  hypervisor: boolean;
  x2apic: boolean;
}

export interface DmiInfo {
  sysVendor: string | null;
  productName: string | null;
  boardVendor: string | null;
  boardName: string | null;
  biosVendor: string | null;
  biosVersion: string | null;
  biosDate: string | null;
}

export interface InstalledKernel {
  version: string;
  modulesDir: boolean;
  vmlinuz: string | null;
  initramfs: string | null;
  config: string | null;
}

export interface HostInfo {
  hostname: string | null;
  kernelRelease: string | null;
  kernelVersion: string | null;
  architecture: string | null;
  bootId: string | null;
  cmdline: Cmdline | null;
  osRelease: OsRelease | null;
  cpu: CpuInfo | null;
  dmi: DmiInfo | null;
  installedKernels: InstalledKernel[];
  /** Whether this is a virtual machine (cpu hypervisor flag or DMI product). */
  virtualMachine: boolean | null;
}

export interface KernelConfig {
  path: string;
  /** Only the options relevant to passthrough, as written: "y", "m", "n" (from "is not set") or a value. */
  options: Record<string, string>;
}

// ---------------------------------------------------------------- initramfs

export interface InitramfsInfo {
  /** Kernel release the image belongs to. */
  kernel: string;
  /** Host path of the image, or the pasted section / sosreport file its listing came from. */
  image: string;
  /** Kernel modules inside the image, normalised names (vfio_pci, nouveau ...). */
  modules: string[];
  /** modprobe.d entries inside the image (etc/modprobe.d, usr/lib/modprobe.d ...); file is the path inside. */
  modprobe: ModprobeEntry[];
  /** Module lists inside the image (conf/modules, etc/modules-load.d); stage is 'initramfs'. */
  loadAtBoot: ModuleLoadEntry[];
  /** Number of entries in the image (all archives of it). */
  entries: number;
}

// ---------------------------------------------------------------- user-space tool messages

export type ToolName =
  | 'qemu'
  | 'libvirt'
  | 'proxmox'
  | 'kubevirt'
  | 'dpdk'
  | 'cloud-hypervisor'
  | 'dracut'
  | 'mkinitcpio'
  | 'update-initramfs'
  | 'modprobe'
  | 'dkms'
  | 'package-manager'
  | 'mokutil'
  | 'shell'
  | 'other';

export interface ToolMessage {
  tool: ToolName;
  /** File or pasted section it came from. */
  source: string;
  /** 1-based line in that source. */
  line: number;
  text: string;
}

// ---------------------------------------------------------------- devices the host needs

export interface HostCriticalDevices {
  /** The root filesystem: its source as mounted and the PCI functions of the controllers under it. */
  rootFilesystem: { source: string; fsType: string; devices: string[] } | null;
  /** The interface of the default route (through bridges, bonds and VLANs) and its PCI functions. */
  defaultRoute: { interface: string; devices: string[] } | null;
}

// ---------------------------------------------------------------- boot configuration

export type BootLoader = 'grub' | 'systemd-boot' | 'proxmox-boot-tool' | 'kernelstub' | 'unknown';

export interface BlsEntry {
  file: string;
  title: string | null;
  version: string | null;
  linux: string | null;
  options: string | null;
}

/** Where the next boot's kernel command line comes from, so a fix names the right file and tool. */
export interface BootConfig {
  loader: BootLoader;
  /** /etc/default/grub (and /etc/default/grub.d/*.cfg) assignments of GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT. */
  grubDefault: { file: string; cmdlineLinux: string | null; cmdlineLinuxDefault: string | null } | null;
  /** /etc/kernel/cmdline (Proxmox systemd-boot, kernel-install, kernelstub). */
  kernelCmdline: string | null;
  /** systemd-boot / BLS entries (/boot/loader/entries, /boot/efi/loader/entries, /efi/loader/entries). */
  blsEntries: BlsEntry[];
  /** proxmox-boot-tool manages the ESPs (/etc/kernel/proxmox-boot-uuids exists). */
  proxmoxBootTool: boolean;
  /** Tools present on the host for regenerating boot files. */
  tools: { updateGrub: boolean; grub2Mkconfig: boolean; grubby: boolean; kernelstub: boolean; updateInitramfs: boolean; dracut: boolean; mkinitcpio: boolean };
}

// ---------------------------------------------------------------- firmware

export type LockdownLevel = 'none' | 'integrity' | 'confidentiality';

export interface FirmwareInfo {
  acpiTables: { DMAR: boolean | null; IVRS: boolean | null; IORT: boolean | null };
  efi: boolean | null;
  secureBoot: boolean | null;
  setupMode: boolean | null;
  lockdown: LockdownLevel | null;
}

// ---------------------------------------------------------------- iommu

export interface IntelIommuDecoded {
  /** ECAP bit 3. */
  interruptRemapping: boolean;
  /** ECAP bit 4: x2APIC extended interrupt mode. */
  extendedInterruptMode: boolean;
  queuedInvalidation: boolean;
  passThrough: boolean;
  deviceTlb: boolean;
  scalableMode: boolean;
  pasid: boolean;
  /** CAP bit 59. */
  postedInterrupts: boolean;
  /** CAP bit 7: set on emulated vIOMMUs. */
  cachingMode: boolean;
}

export interface AmdIommuDecoded {
  /** EFR feature names present, in the kernel's order (PreF PPR X2APIC NX GT IA GA HE PC). */
  features: string[];
  x2apic: boolean;
  guestVapic: boolean;
}

export interface IommuUnit {
  name: string;
  kind: 'intel' | 'amd' | 'other';
  cap: string | null;
  ecap: string | null;
  version: string | null;
  features: string | null;
  intel: IntelIommuDecoded | null;
  amd: AmdIommuDecoded | null;
}

export interface ReservedRegion {
  start: string;
  end: string;
  type: string;
}

export interface IommuGroup {
  id: number;
  devices: string[];
  /** Default domain type (blocked, identity, unmanaged, DMA, DMA-FQ, unknown); null when not readable. */
  type: string | null;
  reservedRegions: ReservedRegion[] | null;
}

export interface IommuInfo {
  /** /sys/class/iommu exists with at least one unit. */
  classPresent: boolean | null;
  units: IommuUnit[];
  /** null when /sys/kernel/iommu_groups could not be read; [] when it exists and is empty. */
  groups: IommuGroup[] | null;
}

// ---------------------------------------------------------------- kernel log

export type KernelLogOrigin = 'dmesg' | 'journalctl' | 'kern.log' | 'messages' | 'syslog' | 'file';

export interface KernelLogLine {
  /** 1-based line number in the source. */
  n: number;
  text: string;
}

export interface KernelLogSection {
  origin: KernelLogOrigin;
  /** File read or command run (host path). */
  from: string;
  lines: KernelLogLine[];
  totalLines: number;
  totalBytes: number;
  /** Relevant lines seen; when more than kept, the first and the last were kept. */
  relevantLines: number;
  droppedLines: number;
  /** Lines cut at the length limit. */
  truncatedLines: number;
  /** Lines that held NUL or other binary bytes. */
  binaryLines: number;
}

// ---------------------------------------------------------------- pci

export type PciePortType =
  | 'endpoint'
  | 'legacy-endpoint'
  | 'root-port'
  | 'upstream-port'
  | 'downstream-port'
  | 'pcie-to-pci-bridge'
  | 'pci-to-pcie-bridge'
  | 'rc-integrated-endpoint'
  | 'rc-event-collector'
  | 'unknown';

/** ACS capability or control bits (same layout in both registers). */
export interface AcsBits {
  sourceValidation: boolean;
  translationBlocking: boolean;
  requestRedirect: boolean;
  completionRedirect: boolean;
  upstreamForwarding: boolean;
  egressControl: boolean;
  directTranslated: boolean;
}

export interface CapabilityRef {
  id: number;
  offset: number;
  name: string;
  /** Extended capabilities carry a version. */
  version?: number;
}

export interface PciConfig {
  /** Bytes readable: 64 for a non-root read, 256 conventional, 4096 extended. */
  length: number;
  /** The file was shorter than the device's config space (not root, or cut short). */
  truncated: boolean;
  vendorId: string;
  deviceId: string;
  headerType: number;
  multifunction: boolean;
  /** Standard capabilities; null when the list lies beyond what could be read. */
  capabilities: CapabilityRef[] | null;
  /** Extended capabilities; null when the space above 0x100 could not be read. */
  extendedCapabilities: CapabilityRef[] | null;
  /** Problems seen while walking the lists (loops, pointers out of range). */
  problems: string[];
  express: {
    version: number;
    portType: PciePortType;
    portTypeCode: number;
    /** DevCap bit 28. */
    flr: boolean;
    /** DevCtl2 ARI forwarding enable (ports). */
    ariForwarding: boolean | null;
  } | null;
  pm: { noSoftReset: boolean; powerState: 'D0' | 'D1' | 'D2' | 'D3hot' } | null;
  af: { transactionsPending: boolean; flr: boolean } | null;
  acs: { cap: AcsBits; ctrl: AcsBits; capRaw: number; ctrlRaw: number } | null;
  ari: boolean;
  ats: boolean;
  pri: boolean;
  pasid: boolean;
  sriov: { totalVFs: number; numVFs: number; initialVFs: number; firstVfOffset?: number; vfStride?: number; vfDeviceId?: string } | null;
  aer: boolean;
  resizableBar: boolean;
  msi: boolean;
  msix: boolean;
}

export interface PciNames {
  vendor: string | null;
  device: string | null;
  subsystem: string | null;
  class: string | null;
}

export interface PciDevice {
  /** Full address, dddd:bb:dd.f. */
  address: string;
  vendorId: string;
  deviceId: string;
  subsystemVendorId: string | null;
  subsystemDeviceId: string | null;
  /** Six hex digits: base class, subclass, prog-if. */
  classCode: string;
  revision: string | null;
  names: PciNames | null;
  driver: string | null;
  driverOverride: string | null;
  iommuGroup: number | null;
  modalias: string | null;
  bootVga: boolean | null;
  /** Supported reset methods in priority order; null when the file is absent (pre-5.15 or none). */
  resetMethods: string[] | null;
  d3coldAllowed: boolean | null;
  powerState: string | null;
  numaNode: number | null;
  /** The real sysfs path of the device directory, host-relative. */
  sysfsPath: string | null;
  /** Bridges from the root complex down to this device's parent. */
  upstream: string[];
  multifunction: boolean | null;
  physfn: string | null;
  virtfns: string[];
  config: PciConfig | null;
  /** Why config is null or short. */
  configStatus: SourceRecord;
}

// ---------------------------------------------------------------- modules

export interface LoadedModule {
  name: string;
  size: number;
  refcount: number;
  usedBy: string[];
  state: string;
}

export type ModprobeKind = 'options' | 'blacklist' | 'softdep' | 'install' | 'remove' | 'alias';

export interface ModprobeEntry {
  kind: ModprobeKind;
  /** Module name as written (hyphens and underscores kept). */
  module: string;
  /** The rest of the line after the module name. */
  value: string;
  file: string;
  line: number;
}

export interface ModuleLoadEntry {
  module: string;
  file: string;
  line: number;
  /** boot: systemd modules-load.d or /etc/modules; initramfs: the initramfs generator's own list
   *  (/etc/initramfs-tools/modules, dracut add_drivers/force_drivers, mkinitcpio MODULES). */
  stage: 'boot' | 'initramfs';
}

export interface ModulesInfo {
  loaded: LoadedModule[] | null;
  /** Names from modules.builtin of the running kernel (normalised with underscores). */
  builtin: string[] | null;
  /** Which vfio-family modules exist as files for the running kernel. */
  vfioOnDisk: { name: string; path: string }[] | null;
  /** modules.alias matches for each device modalias present on the host. */
  aliasMatches: Record<string, string[]> | null;
  /** /sys/module/<vfio*|kvm*>/parameters. */
  parameters: Record<string, Record<string, string>>;
  modprobe: ModprobeEntry[];
  loadAtBoot: ModuleLoadEntry[];
}

// ---------------------------------------------------------------- device nodes, memory, interrupts

export interface DevNode {
  path: string;
  type: 'char' | 'block' | 'dir' | 'other';
  mode: string;
  uid: number;
  gid: number;
  owner: string | null;
  group: string | null;
}

export interface DevNodesInfo {
  vfio: DevNode[] | null;
  /** /dev/vfio/devices/* (iommufd cdevs). */
  vfioDevices: DevNode[] | null;
  kvm: DevNode | null;
  iommu: DevNode | null;
}

export interface IomemEntry {
  start: string;
  end: string;
  name: string;
  depth: number;
  /** The PCI device whose range holds this entry (the entry itself or an ancestor). */
  device: string | null;
}

export interface InterruptsInfo {
  chips: string[];
  /** Some chip name carries the IR- prefix. */
  remapped: boolean;
}
