// The options of a kernel .config that decide IOMMU, VFIO, framebuffer and module-signing behaviour.
const RELEVANT = /^CONFIG_(INTEL_IOMMU|AMD_IOMMU|IOMMU|IRQ_REMAP|VFIO|IOMMUFD|DMAR|DRM_SIMPLEDRM|SYSFB|FB_EFI|FB_SIMPLE|FB_VESA|DRM_EFIDRM|DRM_VESADRM|LOCK_DOWN|SECURITY_LOCKDOWN|MODULE_SIG|PCI_IOV|PCI_QUIRKS|PCIEPORTBUS|PCI_STUB|X86_X2APIC|KVM|KVM_INTEL|KVM_AMD|EFI|HOTPLUG_PCI_PCIE|PCIE_ACS|LOCALVERSION)/;

export function parseKernelConfig(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    let m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (m) {
      if (RELEVANT.test(m[1]!)) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
      continue;
    }
    m = /^# (CONFIG_[A-Za-z0-9_]+) is not set/.exec(line);
    if (m && RELEVANT.test(m[1]!)) out[m[1]!] = 'n';
  }
  return out;
}
