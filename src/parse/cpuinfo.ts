import type { CpuInfo, CpuVendor } from '../snapshot/types.js';

// Only the first processor block is read: vendor and flags are the same on every core.
export function parseCpuinfo(text: string): CpuInfo {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (Object.keys(fields).length > 0) break;
      continue;
    }
    const i = line.indexOf(':');
    if (i < 0) continue;
    const k = line.slice(0, i).trim();
    if (!(k in fields)) fields[k] = line.slice(i + 1).trim();
  }
  const vendorId = fields['vendor_id'] ?? null;
  const flags = new Set((fields['flags'] ?? fields['Features'] ?? '').split(/\s+/));
  let vendor: CpuVendor = 'other';
  // Hygon Dhyana is a Zen derivative with the AMD IOMMU.
  if (vendorId === 'GenuineIntel') vendor = 'intel';
  else if (vendorId === 'AuthenticAMD' || vendorId === 'HygonGenuine') vendor = 'amd';
  return {
    vendor,
    vendorId,
    modelName: fields['model name'] ?? null,
    vmx: flags.has('vmx'),
    svm: flags.has('svm'),
    hypervisor: flags.has('hypervisor'),
    x2apic: flags.has('x2apic'),
  };
}
