// Which kernel-log lines matter for a passthrough diagnosis, as data.
//
// Every relevant line contains at least one anchor (a literal, case-sensitive). The fast scanner looks
// only for anchors; it never runs a regex on an ordinary line. A *strong* anchor makes the line relevant
// on its own. A *weak* anchor also shows up in noise ("usb 1-4: reset high-speed USB device", "PME#
// supported from D0 D3hot"), so the line is kept only when its `confirm` pattern matches too.
//
// Anchors are at least 4 bytes long: the scanner's skip distance grows with the shortest anchor.

export interface Anchor {
  text: string;
  /** Present for weak anchors: the line is relevant only if this matches the message as well. */
  confirm?: RegExp;
}

const BDF = '[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]';

function weak(text: string, confirm: RegExp): Anchor {
  return { text, confirm };
}

function strong(...texts: string[]): Anchor[] {
  return texts.map((text) => ({ text }));
}

export const ANCHORS: readonly Anchor[] = [
  // IOMMU drivers, tables and faults (Intel, AMD, generic, ARM SMMU).
  ...strong('DMAR', 'dmar', 'DRHD', 'RMRR', 'INTR-REMAP', 'iommu', 'IOMMU', 'AMD-Vi', 'IVRS', 'smmu', 'SMMU'),
  ...strong('Virtualization Technology', 'remapping', 'x2apic', 'DMA alias', '1:1 IOMMU', 'SR-IOV'),
  // AMD event names: the second half of a split two-line event carries no "AMD-Vi" of its own.
  ...strong('Event logged', 'IO_PAGE_FAULT', 'ILLEGAL_DEV_TABLE_ENTRY', 'DEV_TAB_HARDWARE_ERROR'),
  ...strong('PAGE_TAB_HARDWARE_ERROR', 'ILLEGAL_COMMAND_ERROR', 'COMMAND_HARDWARE_ERROR', 'IOTLB_INV_TIMEOUT'),
  ...strong('INVALID_DEVICE_REQUEST', 'INVALID_PPR_REQUEST', 'RMP_PAGE_FAULT', 'RMP_HW_ERROR', 'UNKNOWN event['),
  weak(' device=', new RegExp(`device=(?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]`)),
  // VFIO and its userspace (QEMU, libvirt, DPDK) messages.
  ...strong('vfio', 'VFIO', 'not viable', 'RLIMIT_MEMLOCK', 'allow_unsafe_interrupts'),
  // PCI core: resources, resets, power states, ACS, probe failures, enumeration, boot VGA.
  weak('BAR ', /BAR \d+.*(?:can't|cannot|no space|failed|conflict|invalid|Disabling)|(?:claim|reserve|assign) BAR/),
  weak('] type 0', /\[[0-9a-fA-F]{4}:[0-9a-fA-F]{4}\] type [0-9a-fA-F]{2} class 0x/),
  // ":00.0: " (the end of a PCI address) is a cheap literal to search for; "usb 1-4.3:" has no colon before.
  weak('reset', /:[0-9a-fA-F]{2}\.[0-7]: .*\breset|reset method|after (?:bus |secondary bus )?reset/),
  weak('not ready', /not ready \d+ms after/),
  ...strong('after FLR', 'stuck in D3', ' ACS'),
  weak('power state', /(?:Unable to|Refused to|can't|[Ff]ailed to) change power state/),
  weak('probe', new RegExp(`probe of ${BDF} failed|:[0-9a-fA-F]{2}\\.[0-7]: .*probe.*fail`)),
  weak('AER:', /Uncorrect|Fatal/),
  ...strong('vgaarb', 'boot VGA', 'shadowed ROM', 'ROM header'),
  // Interrupt isolation, lockdown and Secure Boot.
  ...strong('ockdown', 'locked down', 'ecure boot', 'ecureboot', 'shim signature'),
  // Boot framebuffers that can sit on a GPU's BAR.
  ...strong('simpledrm', 'simple-framebuffer', 'simplefb', 'efifb', 'vesafb', 'BOOTFB', 'sysfb'),
  ...strong('frame buffer device'),
  weak('initcall', /blacklist/),
  weak('conflicting', /framebuffer|\bfb\b|aperture/),
  // Module loading and signatures.
  weak('module', /module verification failed|Loading of (?:unsigned )?module|unsigned module|module with unavailable key|out-of-tree module|[Mm]odule \S+ not found|Failed to (?:find|insert) module|Invalid module format/),
  weak('signature', /PKCS#7|signature (?:and\/or|not |verification|rejected|missing)|[Ii]nvalid signature|bad signature/),
  weak('taint', /tainting kernel|taints kernel|kernel taint/),
  ...strong('PKCS#7', 'Required key', 'Key was rejected', 'Unknown symbol', 'unknown parameter', 'disagrees about version'),
  // The boot banner, the command line, the platform, virtualization disabled in firmware.
  ...strong('Linux version ', 'ommand line', 'DMI: '),
  ...strong('VMX not', 'SVM not', 'no hardware support'),
  weak('by BIOS', /kvm|VMX|SVM|VT-d|virtuali[sz]ation/i),
  weak('by bios', /kvm|VMX|SVM|VT-d|virtuali[sz]ation/i),
  // Crashes: the oops banner and where it happened.
  ...strong('BUG: ', 'Oops: ', 'Tainted: '),
  weak('RIP: ', /vfio|iommu|dmar|pci|amd_iommu|intel_iommu/i),
  // Pasted /proc/iomem lines naming a framebuffer are covered above (BOOTFB, simpledrm, efifb, vesafb).
];

/** The anchors as a grep -F pattern list: the same first stage, for comparisons in tests and benches. */
export function anchorTexts(): string[] {
  return ANCHORS.map((a) => a.text);
}
