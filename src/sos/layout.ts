// Where a sosreport keeps what vfio-doctor reads. Files copied from the host (proc/, sys/module/,
// etc/) sit at their host paths and are read as a --root tree. Command outputs sit in sos_commands/
// under names made from the command line ("lspci -nnvv" -> sos_commands/pci/lspci_-nnvv); they are read
// by the same recognisers as pasted output, with the command as the hint. Some copied files (libvirt
// domain XML, VM logs, package logs) have no reader in the host collector and go the same way.

export interface SosEntry {
  /** Path inside the report, with / separators. */
  pattern: RegExp;
  /** The command (or "cat <file>") the content came from: the recogniser hint. */
  command: (relative: string) => string;
  /** Read only the end of big logs. */
  tailBytes?: number;
}

const cat = (rel: string) => `cat /${rel}`;

// sos writes "/" of a command's arguments as "."; the image name keeps its own dots, so only the
// kernel-release part is taken back out ("lsinitramfs_-l_.boot.initrd.img-6.8.0-48-generic").
function imageOf(rel: string): string {
  const m = /(initrd\.img-|initramfs-)(\d+\.\d+.*?)(\.img)?$/.exec(rel);
  return m ? ` /boot/${m[1]}${m[2]}${m[3] ?? ''}` : '';
}

export const SOS_ENTRIES: SosEntry[] = [
  { pattern: /^sos_commands\/pci\/lspci_-n*v+n*$/, command: () => 'lspci -nnvv' },
  { pattern: /^sos_commands\/pci\/lspci_-tv$/, command: () => 'lspci -tv' },
  { pattern: /^sos_commands\/kernel\/dmesg$/, command: () => 'dmesg' },
  { pattern: /^sos_commands\/kernel\/uname_-a$/, command: () => 'uname -a' },
  { pattern: /^sos_commands\/kernel\/lsmod$/, command: () => 'lsmod' },
  { pattern: /^sos_commands\/kernel\/dkms_status$/, command: () => 'dkms status' },
  { pattern: /^sos_commands\/boot\/mokutil_--sb-state$/, command: () => 'mokutil --sb-state' },
  { pattern: /^sos_commands\/boot\/lsinitrd(?:_.*)?$/, command: (r) => `lsinitrd${imageOf(r)}` },
  { pattern: /^sos_commands\/boot\/lsinitramfs_-l_.*$/, command: (r) => `lsinitramfs -l${imageOf(r)}` },
  { pattern: /^sos_commands\/boot\/ls_-lanR_\.boot$/, command: () => 'ls -lanR /boot' },
  { pattern: /^sos_commands\/processor\/lscpu$/, command: () => 'lscpu' },
  { pattern: /^sos_commands\/(?:host|general)\/hostnamectl(?:_status)?$/, command: () => 'hostnamectl' },
  { pattern: /^sos_commands\/libvirt\/virsh_-r_nodedev-list.*$/, command: () => 'virsh nodedev-list' },
  { pattern: /^sos_commands\/libvirt\/virsh_-r_(?:dumpxml|nodedev-dumpxml)_.*$/, command: (r) => `virsh ${/nodedev-dumpxml/.test(r) ? 'nodedev-dumpxml' : 'dumpxml'}` },
  { pattern: /^sos_commands\/dpdk\/dpdk-devbind.*$/, command: () => 'dpdk-devbind.py --status' },
  // The process plugin's "ps auxwww": the command lines of running QEMU processes.
  { pattern: /^sos_commands\/process\/ps_auxwww$/, command: () => 'ps auxwww' },
  { pattern: /^etc\/libvirt\/qemu\/[^/]+\.xml$/, command: cat },
  { pattern: /^etc\/pve\/(?:nodes\/[^/]+\/)?qemu-server\/\d+\.conf$/, command: cat },
  { pattern: /^var\/log\/libvirt\/qemu\/[^/]+\.log$/, command: cat, tailBytes: 1 << 20 },
  { pattern: /^var\/log\/apt\/history\.log$/, command: cat, tailBytes: 2 << 20 },
  { pattern: /^var\/log\/dnf\.rpm\.log$/, command: cat, tailBytes: 2 << 20 },
  { pattern: /^var\/log\/pacman\.log$/, command: cat, tailBytes: 2 << 20 },
];
