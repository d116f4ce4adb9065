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
    layer: 'modules',
    severity: 'notice',
    anchors: ['verification failed'],
    diff: 'module-error',
    examples: [
      'nvidia: module verification failed: signature and/or required key missing - tainting kernel',
      '[    1.800000] nvidia: module verification failed: signature and/or required key missing - tainting kernel',
    ],
    re: /^(\S+): module verification failed: signature and\/or required key missing - tainting kernel/,
    fields: (m) => ({ module: m[1] as string }),
    device: () => null,
    meaning: (f) => `Module ${String(f['module'])} is not signed with a trusted key; it loaded only because signatures are not enforced (no Secure Boot lockdown).`,
  },
  {
    kind: 'module-out-of-tree',
    family: 'module',
    layer: 'modules',
    severity: 'info',
    anchors: ['out-of-tree module'],
    diff: null,
    examples: [
      'vendor_reset: loading out-of-tree module taints kernel.',
    ],
    re: /^(\S+): loading out-of-tree module taints kernel/,
    fields: (m) => ({ module: m[1] as string }),
    device: () => null,
    meaning: (f) => `Out-of-tree module ${String(f['module'])} loaded (e.g. vendor-reset, nvidia, zfs); it must be rebuilt for every new kernel (DKMS).`,
  },
  {
    kind: 'module-rejected',
    family: 'module',
    layer: 'modules',
    severity: 'error',
    anchors: ['unsigned module', 'unavailable key'],
    diff: 'module-error',
    cause: 'module-signature-rejected',
    examples: [
      'Loading of unsigned module is rejected',
      'Loading of module with unavailable key is rejected',
    ],
    re: /Loading of (unsigned module|module with unavailable key) is rejected/,
    fields: (m) => ({ reason: m[1] as string }),
    device: () => null,
    meaning: (f) => `The kernel refused a module (${String(f['reason'])}): with Secure Boot / lockdown every module must be signed by a key the kernel trusts (enroll a MOK and sign it).`,
  },
  {
    kind: 'module-signature-untrusted',
    family: 'module',
    layer: 'modules',
    severity: 'error',
    anchors: ['PKCS#7'],
    diff: 'module-error',
    cause: 'module-signature-rejected',
    examples: [
      'PKCS#7 signature not signed with a trusted key',
    ],
    re: /PKCS#7 signature not signed with a trusted key/,
    device: () => null,
    meaning: 'A module is signed, but not by a key the kernel trusts: enroll the signing key (mokutil --import) or use the distribution\'s signed build.',
  },
  {
    kind: 'module-insert-failed',
    family: 'module',
    layer: 'modules',
    severity: 'error',
    anchors: ['Failed to insert module', 'could not insert'],
    diff: 'module-error',
    origin: 'user-space',
    examples: [
      "systemd-modules-load[412]: Failed to insert module 'vendor_reset': Key was rejected by service",
      "modprobe: ERROR: could not insert 'rdma_rxe': Operation not permitted",
      "modprobe: ERROR: could not insert '8812au': Exec format error",
    ],
    re: /(?:Failed to insert module '([^']+)'|ERROR: could not insert '([^']+)'): (.*)$/,
    fields: (m) => ({ module: (m[1] ?? m[2]) as string, reason: m[3] as string }),
    device: () => null,
    meaning: (f) =>
      /Key was rejected|Required key/.test(String(f['reason']))
        ? `Module ${String(f['module'])} was refused by Secure Boot: it is not signed by an enrolled key.`
        : `Module ${String(f['module'])} could not be loaded: ${String(f['reason'])}.`,
  },
  {
    kind: 'module-key-rejected',
    family: 'module',
    layer: 'modules',
    severity: 'error',
    anchors: ['Required key not available', 'Key was rejected', 'unknown module key'],
    diff: 'module-error',
    cause: 'module-signature-rejected',
    examples: [
      "[    5.061525] Request for unknown module key 'CentOS Linux kernel signing key: e1fdb0e2a7e861a1d1ca80a23dcf0dba3aa4adf5' err -11",
      "Request for unknown module key 'DKMS module signing key: 5f1c' err -11",
    ],
    re: /(?:Request for unknown module key '([^']+)' err (-?\d+)|Required key not available|Key was rejected by service)/,
    fields: (m) => ({ key: m[1] ?? null, errno: m[2] !== undefined ? Number(m[2]) : null, message: m[0] }),
    device: () => null,
    meaning: 'A module load failed its signature check (Secure Boot): sign the module with an enrolled key, or install the signed package.',
  },
  {
    kind: 'module-unknown-symbol',
    family: 'module',
    layer: 'modules',
    severity: 'error',
    anchors: ['Unknown symbol'],
    diff: 'module-error',
    examples: [
      'vfio_pci: Unknown symbol vfio_pci_core_register_device (err -2)',
    ],
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
    layer: 'modules',
    severity: 'error',
    anchors: ['disagrees about version'],
    diff: 'module-error',
    examples: [
      'vendor_reset: disagrees about version of symbol module_layout',
    ],
    re: /^(\S+): disagrees about version of symbol (\S+)/,
    fields: (m) => ({ module: m[1] as string, symbol: m[2] as string }),
    device: () => null,
    meaning: (f) => `Module ${String(f['module'])} was built for a different kernel (symbol ${String(f['symbol'])}): rebuild it (DKMS) for the running kernel.`,
  },
  {
    kind: 'module-unknown-parameter',
    family: 'module',
    layer: 'modules',
    severity: 'warning',
    anchors: ['unknown parameter'],
    diff: null,
    examples: [
      "vfio_pci: unknown parameter 'disable_idle_d3' ignored",
    ],
    re: /^(\S+): unknown parameter '([^']+)' ignored/,
    fields: (m) => ({ module: m[1] as string, parameter: m[2] as string }),
    device: () => null,
    meaning: (f) => `Module ${String(f['module'])} does not know the parameter "${String(f['parameter'])}" (wrong module name, or an option of another kernel version); it had no effect.`,
  },
  {
    kind: 'module-not-found',
    family: 'module',
    layer: 'modules',
    severity: 'error',
    anchors: ['FATAL: Module', 'Failed to find module'],
    diff: 'module-error',
    cause: 'module-missing',
    origin: 'user-space',
    examples: [
      'modprobe: FATAL: Module vfio_virqfd not found in directory /lib/modules/6.8.12-4-pve',
      "Jan 31 09:12:02 pve systemd-modules-load[412]: Failed to find module 'vfio_virqfd'",
      "dracut-install: Failed to find module 'vfio_virqfd'",
    ],
    re: /(?:(modprobe): FATAL: Module (\S+) not found|(dracut-install|systemd-modules-load\S*|\S+): Failed to find module '([^']+)'|Failed to find module '([^']+)')/,
    fields: (m) => ({ tool: m[1] ?? m[3] ?? null, module: (m[2] ?? m[4] ?? m[5]) as string }),
    device: () => null,
    meaning: (f) => `Module ${String(f['module'])} does not exist for this kernel.${moduleAdvice(String(f['module']))}`,
  },
];
