// What differs between VM managers, as data: how a VM and an assignment are named and written, and how a
// person shows and edits the definition. Rules judge the model and take their manager-specific words from
// here, so a new manager is one more entry, not one more branch in every rule.
import { sh } from '../analyze/shell.js';
import type { VmDefinition, VmManager, VmPciAssignment } from './types.js';

/** How a manager's locked-memory limit (VmDefinition.hardLimitKiB) is written, shown and raised. */
export interface MemlockGuide {
  /** The guest memory as the definition writes it ("<memory> 8 GiB"). */
  memoryText(size: string): string;
  /** The limit as its source shows it ("<memtune><hard_limit> 4 GiB"). */
  limitText(size: string): string;
  /** Where the limit was read. */
  limitSource(vm: VmDefinition): string;
  /** The virtual IOMMU as the definition writes it. */
  viommuText(model: string): string;
  /** Why this limit holds QEMU, what fails, and what to do; `need` is the size to raise it to. */
  decision(need: string): string;
  commands(vm: VmDefinition, needKiB: number): string[];
}

export interface VmManagerGuide {
  /** "libvirt domain win10", "Proxmox VM 100 (win11)", "QEMU VM win10". */
  label(vm: VmDefinition): string;
  /** How --vm names it in a list of the VMs found. */
  key(vm: VmDefinition): string;
  /** "hostdev of libvirt domain win10", "hostpci0 of Proxmox VM 100". */
  reason(vm: VmDefinition, a: VmPciAssignment): string;
  /** The assignment as the format writes it, for evidence. */
  assignmentText(a: VmPciAssignment): string;
  /** The ROM file setting as the format writes it. */
  romFileText(a: VmPciAssignment): string;
  /** A command that shows the assignments of the definition. */
  show(vm: VmDefinition): string;
  /** What to do when the ROM file is missing. */
  romFileAdvice: string;
  /** After "correct the VM definition": how, for this manager. */
  addressAdvice: string;
  /** How to give the VM a sibling function too: the decision and one command. */
  wholeDevice(vm: VmDefinition, a: VmPciAssignment, slot: string, sibling: string): { decision: string; command: string };
  /** Absent where the manager never holds QEMU to a locked-memory limit (Proxmox runs it as root). */
  memlock?: MemlockGuide;
}

const yesNo = (v: boolean) => (v ? 'yes' : 'no');

const libvirt: VmManagerGuide = {
  label: (vm) => `libvirt domain ${vm.name}`,
  key: (vm) => vm.name,
  reason: (vm) => `hostdev of libvirt domain ${vm.name}`,
  assignmentText: (a) => `<hostdev mode='subsystem' type='pci'${a.managed === null ? '' : ` managed='${yesNo(a.managed)}'`}> source ${a.addresses.join(' ')}`,
  romFileText: (a) => `<rom file='${a.romFile ?? ''}'/>`,
  show: (vm) => sh`virsh dumpxml ${vm.name} | grep -A3 "<hostdev"`,
  romFileAdvice:
    "QEMU will not start without the ROM file. Put the image where the domain says (a path the QEMU user may read and that AppArmor/SELinux allow, such as /usr/share/vgabios or /var/lib/libvirt/vbios), or remove the <rom file> to use the card's own ROM.",
  addressAdvice: " (virsh edit; with managed='yes' libvirt would otherwise bind whatever now sits there to vfio-pci).",
  wholeDevice: (vm, _a, _slot, sibling) => ({
    decision: `Add a <hostdev> for ${sibling} too and place both on one guest slot: the first function's guest <address> with multifunction='on', the sibling on the same bus and slot with the next function number.`,
    command: sh`virsh edit ${vm.name}`,
  }),
  memlock: {
    memoryText: (size) => `<memory> ${size}`,
    limitText: (size) => `<memtune><hard_limit> ${size}`,
    limitSource: (vm) => vm.file,
    viommuText: (model) => `<iommu model='${model}'/>`,
    decision: (need) =>
      `QEMU pins all guest RAM for device assignment, and libvirt uses <memtune><hard_limit> as the process's RLIMIT_MEMLOCK. The VM fails to start (VFIO_MAP_DMA: -12, "RLIMIT_MEMLOCK exceeded" in the kernel log). Remove the hard_limit, or raise it to at least ${need} (guest memory plus 1 GiB for QEMU itself).`,
    commands: (vm, needKiB) => [sh`virsh memtune ${vm.name} --hard-limit ${needKiB} --config`, sh`virsh edit ${vm.name}`],
  },
};

const proxmox: VmManagerGuide = {
  label: (vm) => (vm.name !== vm.id && vm.id !== null ? `Proxmox VM ${vm.id} (${vm.name})` : `Proxmox VM ${vm.id ?? vm.name}`),
  key: (vm) => (vm.id !== null ? `${vm.id} (${vm.name})` : vm.name),
  reason: (vm, a) => `${a.label} of ${proxmox.label(vm)}`,
  assignmentText: (a) => `${a.label}: ${a.mapping !== null ? `mapping=${a.mapping}` : a.addresses.join(';')}${a.primaryVga ? ',x-vga=1' : ''}`,
  romFileText: (a) => `${a.label}: romfile=${(a.romFile ?? '').replace('/usr/share/kvm/', '')}`,
  show: (vm) => sh`qm config ${vm.id ?? vm.name}`,
  romFileAdvice: "QEMU will not start without the ROM file. Proxmox looks for romfile= in /usr/share/kvm/: copy the dumped or downloaded vBIOS there under that name, or remove romfile= to use the card's own ROM.",
  addressAdvice: ' (a PCI resource mapping, Datacenter > Resource Mappings, is checked against the device id at every start).',
  wholeDevice: (vm, a, slot) => ({
    decision: `Pass the whole device: write the slot without a function (${slot}) in ${a.label}, which assigns every function, with "All Functions" ticked in the GUI.`,
    command: sh`qm set ${vm.id ?? vm.name} -${a.label} ${`${slot}${a.pcie ? ',pcie=1' : ''}${a.primaryVga ? ',x-vga=1' : ''}`}`,
  }),
};

const qemu: VmManagerGuide = {
  label: (vm) => `QEMU VM ${vm.name}`,
  key: (vm) => vm.name,
  reason: (vm, a) => `${a.label} of QEMU VM ${vm.name}`,
  assignmentText: (a) => `-device vfio-pci,host=${a.addresses.join(' ')}${a.primaryVga ? ',x-vga=on' : ''}${a.multifunction ? ',multifunction=on' : ''}`,
  romFileText: (a) => `-device vfio-pci,...,romfile=${a.romFile ?? ''}`,
  show: (vm) => (vm.file.startsWith('/proc/') ? sh`tr '\\0' ' ' < ${vm.file}` : 'ps -ww -o args= -C qemu-system-x86_64'),
  romFileAdvice: 'QEMU will not start without the ROM file. Put the image at the path romfile= names (relative names are looked up in QEMU\'s data directory), or drop romfile= to use the card\'s own ROM.',
  addressAdvice: ' (in the script or unit that starts QEMU: the host= of its -device vfio-pci).',
  wholeDevice: (_vm, _a, _slot, sibling) => ({
    decision: `Add "-device vfio-pci,host=${sibling}" too and place both on one guest slot: multifunction=on on the first function's device, the sibling at the same bus and slot with the next function number (addr=0xN.1).`,
    command: 'ps -ww -o args= -C qemu-system-x86_64',
  }),
  memlock: {
    memoryText: (size) => `-m ${size}`,
    limitText: (size) => `Max locked memory ${size}`,
    limitSource: (vm) => vm.file.replace(/\/cmdline$/, '/limits'),
    viommuText: (model) => (model === 'smmuv3' ? '-machine iommu=smmuv3' : `-device ${model === 'virtio' ? 'virtio-iommu-pci' : `${model}-iommu`}`),
    decision: (need) =>
      `QEMU pins all guest RAM for device assignment and, without CAP_IPC_LOCK (which this process does not hold), is held to its RLIMIT_MEMLOCK. Mapping fails once that much is pinned (VFIO_MAP_DMA: -12, "RLIMIT_MEMLOCK exceeded" in the kernel log): when the VM starts, or with a virtual IOMMU as the guest maps its memory. Raise the limit where QEMU is started (LimitMEMLOCK= in its systemd unit, "ulimit -l" in its script, a memlock line for its user in /etc/security/limits.d for a login session) to at least ${need} (guest memory plus 1 GiB for QEMU itself), then start the VM again.`,
    commands: (vm, needKiB) => {
      const pid = /^\/proc\/(\d+)\//.exec(vm.file)?.[1];
      return pid === undefined ? ['ulimit -l'] : [sh`prlimit --pid ${pid} --memlock`, sh`prlimit --pid ${pid} --memlock=${needKiB * 1024}:${needKiB * 1024}`];
    },
  },
};

export const MANAGERS: Record<VmManager, VmManagerGuide> = { libvirt, proxmox, qemu };

export function guideFor(vm: VmDefinition): VmManagerGuide {
  return MANAGERS[vm.manager];
}
