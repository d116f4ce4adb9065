// The kernel .config reader: what it keeps of each line form, and that cutting out only the lines that
// mention a relevant option gives what reading every line gave (the version that split the whole text
// lives here as the reference), on lines made at the edges: a name inside another word, carriage
// returns alone and doubled, quotes, a text without a final newline.
import test from 'node:test';
import assert from 'node:assert/strict';
import { parseKernelConfig } from '../../src/parse/kernel-config.js';

const RELEVANT = /^CONFIG_(INTEL_IOMMU|AMD_IOMMU|IOMMU|IRQ_REMAP|VFIO|IOMMUFD|DMAR|DRM_SIMPLEDRM|SYSFB|FB_EFI|FB_SIMPLE|FB_VESA|DRM_EFIDRM|DRM_VESADRM|LOCK_DOWN|SECURITY_LOCKDOWN|MODULE_SIG|PCI_IOV|PCI_QUIRKS|PCIEPORTBUS|PCI_STUB|X86_X2APIC|KVM|KVM_INTEL|KVM_AMD|EFI|HOTPLUG_PCI_PCIE|PCIE_ACS|LOCALVERSION)/;

function reference(text: string): Record<string, string> {
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

const rows: { text: string; options: Record<string, string> }[] = [
  { text: 'CONFIG_VFIO=m\nCONFIG_VFIO_PCI=m\n', options: { CONFIG_VFIO: 'm', CONFIG_VFIO_PCI: 'm' } },
  { text: '# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set\n', options: { CONFIG_INTEL_IOMMU_DEFAULT_ON: 'n' } },
  { text: 'CONFIG_LOCALVERSION="-pve"\r\nCONFIG_MODULE_SIG_KEY="certs/signing_key.pem"\r\n', options: { CONFIG_LOCALVERSION: '-pve', CONFIG_MODULE_SIG_KEY: 'certs/signing_key.pem' } },
  { text: 'CONFIG_SOUND=m\nCONFIG_DRM_AMDGPU=m\n# CONFIG_SND is not set\n', options: {} },
  // The name must start the line and be followed by '=' at once.
  { text: ' CONFIG_VFIO=y\nXCONFIG_VFIO=y\nCONFIG_VFIO =y\n#CONFIG_VFIO is not set\n', options: {} },
  // A later line for the same option wins, and keeps the place of the first.
  { text: 'CONFIG_KVM=m\nCONFIG_EFI=y\nCONFIG_KVM=y', options: { CONFIG_KVM: 'y', CONFIG_EFI: 'y' } },
  // A carriage return kept inside a line (not before its newline) is no option's value.
  { text: 'CONFIG_KVM=y\r\r\nCONFIG_EFI=y\rCONFIG_VFIO=m\n', options: {} },
  { text: 'CONFIG_IOMMU_SUPPORT=y\r', options: {} },
  { text: '', options: {} },
];

test('parseKernelConfig: each line form', () => {
  for (const r of rows) {
    assert.deepEqual(parseKernelConfig(r.text), r.options, JSON.stringify(r.text));
    assert.deepEqual(parseKernelConfig(r.text), reference(r.text), JSON.stringify(r.text));
  }
});

test('parseKernelConfig: the same options in the same order as reading every line, on random configs', () => {
  let seed = 0x2545f491;
  const next = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const names = ['CONFIG_VFIO', 'CONFIG_VFIO_PCI', 'CONFIG_KVM_AMD', 'CONFIG_EFI_STUB', 'CONFIG_SOUND', 'CONFIG_PCI', 'CONFIG_IOMMUFD', 'CONFIG_X86_X2APIC', 'CONFIG_NET', 'CONFIG_DMAR_TABLE'];
  const values = ['y', 'm', '', '"text"', '"a"b"', '0x10', 'y # comment', '"'];
  const line = () => {
    const name = names[next(names.length)]!;
    switch (next(7)) {
      case 0: return `# ${name} is not set`;
      case 1: return `# ${name} is not set, really`;
      case 2: return `${['', ' ', 'X', '#', '# '][next(5)]}${name}=${values[next(values.length)]}`;
      case 3: return `# comment about ${name}`;
      case 4: return `${name}${['=', ' =', '_2=', '\u00e9='][next(4)]}${values[next(values.length)]}`;
      default: return `${name}=${values[next(values.length)]}`;
    }
  };
  const ends = ['\n', '\n', '\n', '\r\n', '\r', '\r\r\n', '\n\n', '\u2028'];
  for (let round = 0; round < 2000; round++) {
    let text = '';
    const n = next(12);
    for (let i = 0; i < n; i++) text += line() + (i === n - 1 && next(3) === 0 ? '' : ends[next(ends.length)]!);
    const got = parseKernelConfig(text);
    const want = reference(text);
    assert.deepEqual(got, want, JSON.stringify(text));
    assert.deepEqual(Object.keys(got), Object.keys(want), JSON.stringify(text));
  }
});
