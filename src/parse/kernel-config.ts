// The options of a kernel .config that decide IOMMU, VFIO, framebuffer and module-signing behaviour.
const PREFIXES = 'INTEL_IOMMU|AMD_IOMMU|IOMMU|IRQ_REMAP|VFIO|IOMMUFD|DMAR|DRM_SIMPLEDRM|SYSFB|FB_EFI|FB_SIMPLE|FB_VESA|DRM_EFIDRM|DRM_VESADRM|LOCK_DOWN|SECURITY_LOCKDOWN|MODULE_SIG|PCI_IOV|PCI_QUIRKS|PCIEPORTBUS|PCI_STUB|X86_X2APIC|KVM|KVM_INTEL|KVM_AMD|EFI|HOTPLUG_PCI_PCIE|PCIE_ACS|LOCALVERSION';
const RELEVANT = new RegExp(`^CONFIG_(${PREFIXES})`);
// Where a relevant name may start a line's option: a distribution's config has ~10,000 lines and about
// a hundred of them matter, so only the lines holding one of these are cut out and read.
const MENTION = new RegExp(`CONFIG_(?:${PREFIXES})`, 'g');
const SET = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/;
const NOT_SET = /^# (CONFIG_[A-Za-z0-9_]+) is not set/;

export function parseKernelConfig(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const mention = new RegExp(MENTION);
  let m: RegExpExecArray | null;
  while ((m = mention.exec(text)) !== null) {
    // The line around the mention, as splitting at \r?\n would give it.
    const start = text.lastIndexOf('\n', m.index) + 1;
    const newline = text.indexOf('\n', m.index);
    const end = newline < 0 ? text.length : newline > start && text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
    readLine(text.slice(start, end), out);
    if (newline < 0) break;
    mention.lastIndex = newline + 1;
  }
  return out;
}

function readLine(line: string, out: Record<string, string>): void {
  const set = SET.exec(line);
  if (set) {
    if (RELEVANT.test(set[1]!)) out[set[1]!] = set[2]!.replace(/^"(.*)"$/, '$1');
    return;
  }
  const off = NOT_SET.exec(line);
  if (off && RELEVANT.test(off[1]!)) out[off[1]!] = 'n';
}
