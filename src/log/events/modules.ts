// Module loading, signature and symbol errors, and the user-space tools' "module not found" lines
// (modprobe, dracut-install, systemd-modules-load).

import { errnoName } from '../tables/errno.js';
import type { Rule } from './types.js';

function moduleAdvice(name: string): string {
  if (name === 'vfio_virqfd' || name === 'vfio-virqfd') return ' vfio_virqfd was merged into vfio in Linux 6.2: remove it from module lists (/etc/modules, modules-load.d, dracut/mkinitcpio configs).';
  if (name === 'vfio_pci_core' || name === 'vfio-pci-core') return ' vfio_pci_core exists only from Linux 5.15 on; older kernels have everything in vfio_pci.';
  if (name === 'amd_iommu_v2') return ' amd_iommu_v2 was removed in Linux 6.7.';
  return '';
}

export const MODULE_RULES: Rule[] = [
  {
    kind: 'module-unsigned',
    family: 'module',
    severity: 'notice',
    hint: 'module verification failed',
    re: /^(\S+): module verification failed: signature and\/or required key missing - tainting kernel/,
    fields: (m) => ({ module: m[1] as string }),
    device: () => null,
    meaning: (f) => `Module ${String(f['module'])} is not signed with a trusted key; it loaded only because signatures are not enforced (no Secure Boot lockdown).`,
  },
  {
    kind: 'module-out-of-tree',
    family: 'module',
    severity: 'info',
    hint: 'out-of-tree module',
    re: /^(\S+): loading out-of-tree module taints kernel/,
    fields: (m) => ({ module: m[1] as string }),
    device: () => null,
    meaning: (f) => `Out-of-tree module ${String(f['module'])} loaded (e.g. vendor-reset, nvidia, zfs); it must be rebuilt for every new kernel (DKMS).`,
  },
  {
    kind: 'module-rejected',
    family: 'module',
    severity: 'error',
    hint: 'Loading of ',
    re: /Loading of (unsigned module|module with unavailable key) is rejected/,
    fields: (m) => ({ reason: m[1] as string }),
    device: () => null,
    meaning: (f) => `The kernel refused a module (${String(f['reason'])}): with Secure Boot / lockdown every module must be signed by a key the kernel trusts (enroll a MOK and sign it).`,
  },
  {
    kind: 'module-signature-untrusted',
    family: 'module',
    severity: 'error',
    hint: 'PKCS#7',
    re: /PKCS#7 signature not signed with a trusted key/,
    device: () => null,
    meaning: 'A module is signed, but not by a key the kernel trusts: enroll the signing key (mokutil --import) or use the distribution\'s signed build.',
  },
  {
    kind: 'module-insert-failed',
    family: 'module',
    severity: 'error',
    hint: 'Failed to insert module',
    re: /Failed to insert module '([^']+)': (.*)$/,
    fields: (m) => ({ module: m[1] as string, reason: m[2] as string }),
    device: () => null,
    meaning: (f) =>
      /Key was rejected|Required key/.test(String(f['reason']))
        ? `Module ${String(f['module'])} was refused by Secure Boot: it is not signed by an enrolled key.`
        : `Module ${String(f['module'])} could not be loaded: ${String(f['reason'])}.`,
  },
  {
    kind: 'module-key-rejected',
    family: 'module',
    severity: 'error',
    hint: 'ey',
    re: /(?:Request for unknown module key '([^']+)' err (-?\d+)|Required key not available|Key was rejected by service)/,
    fields: (m) => ({ key: m[1] ?? null, errno: m[2] !== undefined ? Number(m[2]) : null, message: m[0] }),
    device: () => null,
    meaning: 'A module load failed its signature check (Secure Boot): sign the module with an enrolled key, or install the signed package.',
  },
  {
    kind: 'module-unknown-symbol',
    family: 'module',
    severity: 'error',
    hint: 'Unknown symbol',
    re: /^(\S+): Unknown symbol (\S+) \(err (-?\d+)\)/,
    fields: (m) => {
      const e = errnoName(Number(m[3]));
      return { module: m[1] as string, symbol: m[2] as string, errno: Number(m[3]), errnoName: e.name };
    },
    device: () => null,
    meaning: (f) =>
      `Module ${String(f['module'])} needs ${String(f['symbol'])}, which no loaded module provides: it was built for another kernel, or a module it depends on (e.g. vfio_pci_core from 5.15) is missing or was not loaded first.`,
  },
  {
    kind: 'module-version-mismatch',
    family: 'module',
    severity: 'error',
    hint: 'disagrees about version',
    re: /^(\S+): disagrees about version of symbol (\S+)/,
    fields: (m) => ({ module: m[1] as string, symbol: m[2] as string }),
    device: () => null,
    meaning: (f) => `Module ${String(f['module'])} was built for a different kernel (symbol ${String(f['symbol'])}): rebuild it (DKMS) for the running kernel.`,
  },
  {
    kind: 'module-unknown-parameter',
    family: 'module',
    severity: 'warning',
    hint: 'unknown parameter',
    re: /^(\S+): unknown parameter '([^']+)' ignored/,
    fields: (m) => ({ module: m[1] as string, parameter: m[2] as string }),
    device: () => null,
    meaning: (f) => `Module ${String(f['module'])} does not know the parameter "${String(f['parameter'])}" (wrong module name, or an option of another kernel version); it had no effect.`,
  },
  {
    kind: 'module-not-found',
    family: 'module',
    severity: 'error',
    hint: 'odule',
    re: /(?:(modprobe): FATAL: Module (\S+) not found|(dracut-install|systemd-modules-load\S*|\S+): Failed to find module '([^']+)'|Failed to find module '([^']+)')/,
    fields: (m) => ({ tool: m[1] ?? m[3] ?? null, module: (m[2] ?? m[4] ?? m[5]) as string }),
    device: () => null,
    meaning: (f) => `Module ${String(f['module'])} does not exist for this kernel.${moduleAdvice(String(f['module']))}`,
  },
];
