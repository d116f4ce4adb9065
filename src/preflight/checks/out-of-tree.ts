// Out-of-tree modules a target depends on must be rebuilt for the new kernel (DKMS puts them in
// updates/dkms or extra/) and, under Secure Boot, signed: lockdown refuses an unsigned module.

import type { Finding } from '../../analyze/finding.js';
import { resetBugFamily } from '../../analyze/data/reset-bug-devices.js';
import { moduleKey } from '../../parse/proc-modules.js';
import { finding } from '../finding.js';
import type { PreflightCheck, PreflightInput } from '../types.js';
import { sh } from '../../analyze/shell.js';

interface Need {
  module: string;
  package: string;
  why: string;
  subject: string | null;
  /** Used on the running kernel now: losing it is a regression, not a suggestion. */
  inUse: boolean;
}

function needs(input: PreflightInput): Need[] {
  const { ctx } = input;
  const loaded = new Set((ctx.snap.modules.loaded ?? []).map((m) => moduleKey(m.name)));
  const out: Need[] = [];
  for (const t of ctx.targets) {
    const d = ctx.device(t.address);
    const family = d ? resetBugFamily(d.vendorId, d.deviceId) : null;
    if (family && !out.some((n) => n.module === 'vendor_reset')) {
      out.push({ module: 'vendor_reset', package: 'vendor-reset (DKMS)', why: `${t.address} is an AMD ${family} GPU, whose reset is broken without vendor-reset`, subject: t.address, inUse: loaded.has('vendor_reset') });
    }
  }
  // A vGPU host runs the NVIDIA host driver with its mdev/vfio part; both come from the NVIDIA package.
  if (loaded.has('nvidia_vgpu_vfio')) {
    for (const m of ['nvidia', 'nvidia_vgpu_vfio']) out.push({ module: m, package: 'the NVIDIA vGPU host driver (DKMS)', why: 'nvidia_vgpu_vfio is loaded now: this host serves NVIDIA vGPUs', subject: null, inUse: true });
  }
  return out;
}

export function checkOutOfTree(input: PreflightInput): Finding[] {
  const { kernel, ctx, outOfTree } = input;
  const secureBoot = ctx.snap.firmware.secureBoot;
  const out: Finding[] = [];
  for (const n of needs(input)) {
    const m = outOfTree.get(n.module) ?? (kernel.onDisk.get(n.module) ? { ...kernel.onDisk.get(n.module)!, signed: null } : undefined);
    if (!m) {
      out.push(finding({
        id: 'out-of-tree-missing',
        cause: 'module-missing',
        severity: n.inUse ? 'fail' : 'warn',
        subject: n.subject,
        title: `${n.module} is not built for ${kernel.version}`,
        evidence: [{ source: `${kernel.modulesDir ?? `/lib/modules/${kernel.version}`}`, text: `no ${n.module}.ko under updates/ or extra/` }, { source: 'targets', text: n.why }],
        decision: `Build ${n.package} for ${kernel.version} before rebooting.`,
        commands: ['dkms status', sh`dkms autoinstall -k ${kernel.version}`],
      }));
      continue;
    }
    if (secureBoot !== true) continue;
    if (m.signed === false || m.signed === null) {
      out.push(finding({
        id: 'out-of-tree-unsigned',
        cause: 'module-signature-rejected',
        severity: m.signed === false ? 'fail' : 'warn',
        subject: n.subject,
        title: m.signed === false
          ? `${n.module} for ${kernel.version} is not signed and Secure Boot is on: the kernel will refuse to load it`
          : `${n.module} for ${kernel.version} is compressed; its signature could not be checked and Secure Boot is on`,
        evidence: [{ source: m.path, text: m.signed === false ? 'no "~Module signature appended~" trailer' : 'signature not checked (xz/zstd module)' }, { source: 'EFI SecureBoot variable', text: 'Secure Boot enabled' }],
        decision: 'Sign the module with a key enrolled in the MOK list (DKMS does this once the MOK is enrolled), or enroll the DKMS key.',
        commands: ['mokutil --list-enrolled', 'mokutil --import /var/lib/dkms/mok.pub', sh`dkms autoinstall -k ${kernel.version}`],
      }));
    }
  }
  return out;
}

export const outOfTree: PreflightCheck = {
  meta: {
    id: 'out-of-tree',
    layer: 'modules',
    causes: ['module-missing', 'module-signature-rejected'],
    title: 'Out-of-tree modules for the next kernel',
    description: 'Out-of-tree modules a target depends on (DKMS, updates/, extra/) are built for the next kernel and, under Secure Boot, signed.',
    fix: 'Build them for the new kernel before rebooting, and sign them with an enrolled key.',
    reports: ['preflight.out-of-tree-missing', 'preflight.out-of-tree-unsigned'],
  },
  check: checkOutOfTree,
};
