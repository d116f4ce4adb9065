import type { Cmdline, CmdlineToken, IommuCmdline } from '../snapshot/types.js';

// Splits a kernel command line the way the kernel does: whitespace separates parameters, and double
// quotes protect spaces inside a value (root="LABEL=my disk").
export function tokenizeCmdline(raw: string): CmdlineToken[] {
  const tokens: CmdlineToken[] = [];
  let i = 0;
  const s = raw.trim();
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) break;
    let tok = '';
    let quoted = false;
    while (i < s.length && (quoted || !/\s/.test(s[i]!))) {
      if (s[i] === '"') quoted = !quoted;
      tok += s[i];
      i++;
    }
    const eq = tok.indexOf('=');
    const key = eq < 0 ? tok : tok.slice(0, eq);
    const value = eq < 0 ? null : tok.slice(eq + 1).replace(/^"(.*)"$/, '$1');
    tokens.push({ key: key.replace(/"/g, ''), value, raw: tok });
  }
  return tokens;
}

// The kernel treats '-' and '_' alike in parameter names (parameq), so vfio_pci.ids and vfio-pci.ids are one option.
export function normaliseParamName(key: string): string {
  return key.replace(/-/g, '_').toLowerCase();
}

function lastValue(tokens: CmdlineToken[], name: string): string | null {
  let v: string | null = null;
  for (const t of tokens) if (normaliseParamName(t.key) === name) v = t.value ?? '';
  return v;
}

function allValues(tokens: CmdlineToken[], name: string): string[] {
  return tokens.filter((t) => normaliseParamName(t.key) === name).map((t) => t.value ?? '');
}

function commaList(values: string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

const KNOWN = new Set([
  'intel_iommu', 'amd_iommu', 'iommu', 'iommu.passthrough', 'iommu.strict', 'intremap', 'vfio_pci.ids',
  'vfio_iommu_type1.allow_unsafe_interrupts', 'pcie_acs_override', 'pci', 'initcall_blacklist', 'video',
  'modprobe.blacklist', 'rd.driver.pre', 'rd.driver.blacklist', 'lockdown', 'nox2apic',
]);

export function extractIommuOptions(tokens: CmdlineToken[]): IommuCmdline {
  const intel = allValues(tokens, 'intel_iommu');
  const amd = allValues(tokens, 'amd_iommu');
  const vfioIds = allValues(tokens, 'vfio_pci.ids');
  return {
    intelIommu: intel.length ? commaList(intel) : null,
    amdIommu: amd.length ? commaList(amd) : null,
    iommu: lastValue(tokens, 'iommu'),
    iommuPassthrough: lastValue(tokens, 'iommu.passthrough'),
    iommuStrict: lastValue(tokens, 'iommu.strict'),
    intremap: lastValue(tokens, 'intremap'),
    vfioPciIds: vfioIds.length ? commaList(vfioIds) : null,
    allowUnsafeInterrupts: lastValue(tokens, 'vfio_iommu_type1.allow_unsafe_interrupts'),
    pcieAcsOverride: lastValue(tokens, 'pcie_acs_override'),
    pci: commaList(allValues(tokens, 'pci')),
    initcallBlacklist: commaList(allValues(tokens, 'initcall_blacklist')),
    video: allValues(tokens, 'video'),
    modprobeBlacklist: commaList(allValues(tokens, 'modprobe.blacklist')),
    rdDriverPre: commaList(allValues(tokens, 'rd.driver.pre')),
    rdDriverBlacklist: commaList(allValues(tokens, 'rd.driver.blacklist')),
    lockdown: lastValue(tokens, 'lockdown'),
    nox2apic: tokens.some((t) => normaliseParamName(t.key) === 'nox2apic'),
    other: tokens
      .filter((t) => {
        const k = normaliseParamName(t.key);
        return !KNOWN.has(k) && /^(vfio|iommu|amd_iommu|intel_iommu|ivrs_|kvm|pci_stub|pcie_|dmar)/.test(k);
      })
      .map((t) => t.raw),
  };
}

export function parseCmdline(raw: string): Cmdline {
  const text = raw.replace(/\0/g, ' ').trim();
  const tokens = tokenizeCmdline(text);
  return { raw: text, tokens, iommu: extractIommuOptions(tokens) };
}
