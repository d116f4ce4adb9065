// Turns the gathered facts into a snapshot that analysis reads like any other: every source the paste
// held is 'read' with the lines it came from; every other one is 'absent' with the reason, so a rule that
// needs it says it could not check instead of judging from silence.
import { Readable } from 'node:stream';
import { SCHEMA_VERSION, type IommuGroup, type KernelLogSection, type Origin, type PciDevice, type PciNames, type PastedEvidence, type Snapshot, type SourceRecord } from '../snapshot/types.js';
import { collectKernelLog } from '../log/relevant.js';
import { VERSION } from '../version.js';
import type { DeviceFacts, PasteFacts } from './facts.js';
import type { KernelLines } from './kernel-lines.js';
import type { HypervisorInfo } from '../hypervisor/types.js';
import { withoutDescribedProcesses } from '../hypervisor/running-qemu.js';
import type { AcpiTableEvidence } from './derive.js';
import { comparePciAddresses, slotOf } from '../pci/address.js';
import { sortedByKey } from '../text/byte-order.js';

/** Sources a host run reads, with the command whose output would stand in for each. */
const EXPECTED: Record<string, string> = {
  'proc/cmdline': 'cat /proc/cmdline',
  'proc/sys/kernel/osrelease': 'uname -r',
  'kernel-log': 'dmesg',
  'sys/bus/pci/devices': 'lspci -nnk -vv',
  'lspci': 'lspci -nnk',
  'sys/kernel/iommu_groups': 'the IOMMU group listing (for d in /sys/kernel/iommu_groups/*/devices/*; ...)',
  'sys/class/iommu': 'ls /sys/class/iommu',
  'acpi-tables': 'ls /sys/firmware/acpi/tables',
  'proc/modules': 'lsmod',
  'modules.builtin': 'grep vfio /lib/modules/$(uname -r)/modules.builtin',
  'modprobe.d': 'grep -r . /etc/modprobe.d',
  'kernel-config': 'grep -E "IOMMU|VFIO|IRQ_REMAP" /boot/config-$(uname -r)',
  'proc/iomem': 'sudo cat /proc/iomem',
  'proc/interrupts': 'cat /proc/interrupts',
  'proc/cpuinfo': 'lscpu',
  'os-release': 'cat /etc/os-release',
  'dev': 'ls -l /dev/kvm /dev/vfio',
  'dev/vfio': 'ls -l /dev/vfio',
  'lockdown': 'cat /sys/kernel/security/lockdown',
  'efivar-SecureBoot': 'mokutil --sb-state',
  'etc/default/grub': 'cat /etc/default/grub',
  'etc/kernel/cmdline': 'cat /etc/kernel/cmdline',
  'initramfs': 'lsinitramfs /boot/initrd.img-$(uname -r) (or lsinitrd)',
  'memlock-limit': 'ulimit -l',
};

// Options of the kernel config that make a module built in, by module name.
const BUILTIN_BY_CONFIG: Record<string, string> = {
  CONFIG_VFIO: 'vfio',
  CONFIG_VFIO_PCI: 'vfio_pci',
  CONFIG_VFIO_PCI_CORE: 'vfio_pci_core',
  CONFIG_VFIO_IOMMU_TYPE1: 'vfio_iommu_type1',
  CONFIG_VFIO_VIRQFD: 'vfio_virqfd',
  CONFIG_IOMMUFD: 'iommufd',
  CONFIG_KVM: 'kvm',
  CONFIG_KVM_INTEL: 'kvm_intel',
  CONFIG_KVM_AMD: 'kvm_amd',
  CONFIG_PCI_STUB: 'pci_stub',
};

export interface BuildOptions {
  origin: Origin;
  /** Words for "not in ...": "the pasted input", "the sosreport". */
  inWhat: string;
  acpi: AcpiTableEvidence;
  noGroups: { where: string; because: string } | null;
  now?: Date;
}

function absent(what: string, settle: string | undefined): SourceRecord {
  return { status: 'absent', message: `not in ${what}${settle ? `; ${settle} shows it` : ''}` };
}

function classCode(code: string | null): string {
  if (!code) return '000000';
  return (code.length === 4 ? `${code}00` : code).slice(0, 6).toLowerCase();
}

function groups(facts: PasteFacts, noGroups: BuildOptions['noGroups']): IommuGroup[] | null {
  const ids = new Set([...facts.groups.keys(), ...facts.groupIds]);
  if (ids.size > 0) {
    return [...ids].sort((a, b) => a - b).map((id) => ({ id, devices: [...(facts.groups.get(id) ?? [])].sort(), type: null, reservedRegions: null }));
  }
  return noGroups ? [] : null;
}

/**
 * The reset methods the kernel would list from the capabilities alone, in its priority order. Only a
 * non-empty list is given: an empty one would claim the device has none, while a device-specific or ACPI
 * reset may exist that lspci cannot show.
 */
function resetMethodsOf(config: PciDevice['config']): string[] | null {
  if (!config || config.capabilities === null) return null;
  const methods: string[] = [];
  if (config.express?.flr) methods.push('flr');
  if (config.af?.flr && config.af.transactionsPending) methods.push('af_flr');
  if (config.pm && !config.pm.noSoftReset) methods.push('pm');
  return methods.length ? methods : null;
}

/**
 * The device's modalias, as the kernel writes it, when its ids and class are known; unknown subsystem ids
 * are left as the wildcard modules.alias uses. It keys the "Kernel modules:" list lspci -k shows, which is
 * modules.alias matched against it.
 */
function modaliasOf(d: DeviceFacts): string | null {
  if (!d.vendorId || !d.deviceId || !d.classCode) return null;
  const x = (v: string | null, w: number) => (v === null ? '*' : v.toUpperCase().padStart(w, '0'));
  const c = classCode(d.classCode).toUpperCase();
  return `pci:v${x(d.vendorId, 8)}d${x(d.deviceId, 8)}sv${x(d.subsystemVendorId, 8)}sd${x(d.subsystemDeviceId, 8)}bc${c.slice(0, 2)}sc${c.slice(2, 4)}i${c.slice(4, 6)}`;
}

function pciDevices(facts: PasteFacts, inWhat: string, sources: Record<string, SourceRecord>): PciDevice[] {
  const all = [...facts.devices.values()].sort((a, b) => comparePciAddresses(a.address, b.address));
  const slots = new Map<string, number>();
  for (const d of all) slots.set(slotOf(d.address), (slots.get(slotOf(d.address)) ?? 0) + 1);
  return all.map((d) => {
    const names: PciNames | null = d.vendorName || d.deviceName || d.subsystemName || d.className ? { vendor: d.vendorName, device: d.deviceName, subsystem: d.subsystemName, class: d.className } : null;
    const where = d.where.join(', ') || null;
    sources[`pci:${d.address}:driver`] = d.driver ? { status: 'read', path: d.driver.where } : { status: 'absent', message: `which driver owns ${d.address} is not in ${inWhat}; lspci -nnk -s ${d.address} shows it` };
    const multifunction = (slots.get(slotOf(d.address)) ?? 0) > 1 ? true : null;
    const config = d.config ? { ...d.config, multifunction: multifunction === true } : null;
    const resetMethods = d.resetMethods ?? resetMethodsOf(config);
    sources[`pci:${d.address}:reset_method`] = d.resetMethods
      ? { status: 'read', path: where ?? undefined }
      : resetMethods
        ? { status: 'read', path: where ?? undefined, message: 'derived from the capabilities lspci -vv shows (FLR, AF FLR, PM reset); device-specific and ACPI resets are not visible there' }
        : { status: 'absent', message: `reset_method of ${d.address} is not in ${inWhat}; cat /sys/bus/pci/devices/${d.address}/reset_method shows it` };
    const configStatus: SourceRecord = !config
      ? { status: 'absent', message: `capabilities not in ${inWhat}; sudo lspci -vv -s ${d.address} shows them` }
      : config.capabilities === null
        ? { status: 'denied', path: where ?? undefined, message: 'lspci ran without root: capabilities not shown' }
        : { status: 'read', path: where ?? undefined };
    return {
      address: d.address,
      vendorId: d.vendorId ?? 'ffff',
      deviceId: d.deviceId ?? 'ffff',
      subsystemVendorId: d.subsystemVendorId,
      subsystemDeviceId: d.subsystemDeviceId,
      classCode: classCode(d.classCode),
      revision: d.revision,
      names,
      driver: d.driver?.name ?? null,
      driverOverride: null,
      iommuGroup: d.iommuGroup,
      modalias: modaliasOf(d),
      bootVga: null,
      resetMethods,
      d3coldAllowed: null,
      powerState: d.powerState,
      numaNode: d.numaNode,
      sysfsPath: null,
      upstream: d.upstream ?? [],
      multifunction,
      physfn: d.physfn,
      virtfns: all.filter((v) => v.physfn === d.address).map((v) => v.address),
      config,
      configStatus,
    };
  });
}

/** lspci -k's "Kernel modules:" lists, keyed by modalias as modules.alias matches would be. */
function aliasMatches(facts: PasteFacts): Record<string, string[]> | null {
  const out: Record<string, string[]> = {};
  for (const d of facts.devices.values()) {
    const alias = modaliasOf(d);
    if (alias && d.modules) out[alias] = d.modules;
  }
  return Object.keys(out).length ? out : null;
}

/**
 * The log's blocks as a stream that lets go of the lines once read: a finished stream may stay reachable
 * a while, and must not keep the paste's kernel lines with it.
 */
function blocksOf(lines: KernelLines): Readable {
  let blocks: Iterator<Buffer> | null = lines.logBlocks();
  return new Readable({
    objectMode: true,
    highWaterMark: 1,
    read() {
      const r = blocks?.next();
      if (!r || r.done) {
        blocks = null;
        this.push(null);
      } else this.push(r.value);
    },
  });
}

/** The kernel lines as one log, scanned by the same code a live host's dmesg goes through. */
async function kernelLog(facts: PasteFacts): Promise<KernelLogSection | null> {
  const lines = facts.kernelLines;
  if (lines.length === 0) return null;
  const files = lines.fileNames();
  const section = await collectKernelLog(blocksOf(lines), 'dmesg', files.join(' + '));
  // Line numbers point back into the paste, so evidence can be found there.
  const single = files.length === 1;
  section.lines = section.lines.map((l) => (l.n - 1 < lines.length ? { n: single ? lines.lineNumber(l.n - 1) : l.n, text: l.text } : l));
  return section;
}

/** Pasted VM definitions are the hypervisor section of a host that was not read: no mappings, node,
 *  memlock settings or QEMU identity are known unless pasted. */
function pastedHypervisor(facts: PasteFacts): HypervisorInfo {
  return { vms: withoutDescribedProcesses(facts.vms), pveMappings: null, node: null, libvirtNodedevs: facts.libvirtNodedevs.length ? [...facts.libvirtNodedevs] : null, memlock: { services: [], limitsConf: [] } };
}

export async function buildSnapshot(facts: PasteFacts, opts: BuildOptions): Promise<Snapshot> {
  const sources: Record<string, SourceRecord> = {};
  for (const [id, settle] of Object.entries(EXPECTED)) sources[id] = absent(opts.inWhat, settle);
  Object.assign(sources, facts.sources);
  const iommuGroups = groups(facts, opts.noGroups);
  if (opts.noGroups && iommuGroups?.length === 0) sources['sys/kernel/iommu_groups'] = { status: 'read', path: opts.noGroups.where, message: `inferred: ${opts.noGroups.because}` };
  const acpi = opts.acpi;
  if (acpi.DMAR || acpi.IVRS || acpi.IORT || acpi.listed) sources['acpi-tables'] = { status: 'read', path: acpi.where ?? 'kernel log', message: 'ACPI table lines of the kernel log' };
  const pci = pciDevices(facts, opts.inWhat, sources);
  const cfg = facts.kernelConfig;
  const builtin = cfg
    ? Object.entries(BUILTIN_BY_CONFIG)
        .filter(([opt]) => cfg[opt] === 'y')
        .map(([, mod]) => mod)
    : null;
  if (builtin && builtin.length > 0) sources['modules.builtin'] = { status: 'read', path: facts.kernelConfigFrom ?? 'kernel config', message: 'built-in modules from the kernel config (=y)' };
  const loader = facts.proxmox && facts.kernelCmdlineFile !== null ? 'proxmox-boot-tool' : facts.grubDefault || facts.blsEntries.some((e) => e.file.includes('grub.cfg')) ? 'grub' : facts.blsEntries.length > 0 || facts.kernelCmdlineFile !== null ? 'systemd-boot' : 'unknown';
  const pasted: PastedEvidence = {
    memlock: facts.memlock ? { limitKiB: facts.memlock.kib, from: facts.memlock.where } : null,
    kernelConfigChanges: [...facts.kernelConfigChanges],
    inferences: [...facts.inferences],
    namedDevices: [...facts.namedDevices],
    ...(facts.claims.length ? { claims: [...facts.claims] } : {}),
  };
  const anyPasted = pasted.memlock || pasted.kernelConfigChanges.length || pasted.inferences.length || pasted.namedDevices.length || pasted.claims?.length;
  const cpu = facts.cpu;
  const snap: Snapshot = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'vfio-doctor', version: VERSION },
    collectedAt: (opts.now ?? new Date()).toISOString(),
    origin: opts.origin,
    privileged: null,
    sources: {},
    host: {
      hostname: facts.hostname,
      kernelRelease: facts.kernelRelease,
      kernelVersion: facts.kernelVersion,
      architecture: facts.architecture,
      bootId: null,
      cmdline: facts.cmdline,
      osRelease: facts.osRelease,
      cpu,
      dmi: facts.dmi,
      installedKernels: [...facts.installedKernels],
      virtualMachine: cpu ? cpu.hypervisor : null,
    },
    kernelConfig: cfg ? { path: facts.kernelConfigFrom ?? 'pasted kernel config', options: cfg } : null,
    firmware: {
      acpiTables: { DMAR: acpi.DMAR || (acpi.listed ? false : null), IVRS: acpi.IVRS || (acpi.listed ? false : null), IORT: acpi.IORT || (acpi.listed ? false : null) },
      efi: facts.efi ?? (facts.secureBoot !== null ? true : null),
      secureBoot: facts.secureBoot,
      setupMode: facts.setupMode,
      lockdown: facts.lockdown,
    },
    iommu: { classPresent: null, units: [], groups: iommuGroups },
    kernelLog: await kernelLog(facts),
    pci,
    modules: {
      loaded: facts.modulesLoaded,
      aliasMatches: aliasMatches(facts),
      builtin: builtin && builtin.length > 0 ? builtin : null,
      vfioOnDisk: null,
      parameters: facts.moduleParams,
      modprobe: [...facts.modprobe],
      loadAtBoot: [...facts.loadAtBoot],
    },
    devnodes: { vfio: facts.vfioNodes, vfioDevices: facts.vfioDeviceNodes, kvm: facts.kvmNode, iommu: facts.iommuNode },
    iomem: facts.iomem,
    interrupts: facts.interrupts,
    boot: {
      loader,
      grubDefault: facts.grubDefault,
      kernelCmdline: facts.kernelCmdlineFile,
      blsEntries: [...facts.blsEntries],
      proxmoxBootTool: facts.proxmox && facts.kernelCmdlineFile !== null,
      tools: { updateGrub: false, grub2Mkconfig: false, grubby: false, kernelstub: false, updateInitramfs: false, dracut: false, mkinitcpio: false },
    },
    hostCritical: { rootFilesystem: null, defaultRoute: null },
    initramfs: facts.initramfs,
    toolMessages: [...facts.toolMessages].sort((a, b) => a.source.localeCompare(b.source) || a.line - b.line),
    ...(facts.vms.length || facts.libvirtNodedevs.length ? { hypervisor: pastedHypervisor(facts) } : {}),
    ...(anyPasted ? { pasted } : {}),
  };
  snap.sources = sortedByKey(sources);
  return snap;
}
