import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { kernelArgCommands } from '../../fixes/kernel-args.js';
import { logMatches } from '../../log-evidence.js';

// Option words the kernels accept (kernel-facts §3.1, §3.2); anything else is ignored with "Unknown option".
const INTEL_OPTIONS = new Set(['on', 'off', 'igfx_off', 'forcedac', 'strict', 'sp_off', 'sm_on', 'sm_off', 'tboot_noforce']);
const AMD_OPTIONS = new Set(['fullflush', 'off', 'force_isolation', 'force_enable', 'pgtbl_v1', 'pgtbl_v2', 'irtcachedis', 'nohugepages', 'v2_pgsizes_only']);

export const iommuArgsInvalid: Rule = {
  meta: {
    id: 'iommu-args-invalid',
    layer: 'kernel',
    title: 'IOMMU options for the wrong CPU vendor',
    causes: ['iommu-args-invalid'],
    description: 'IOMMU options on the command line are real options for this CPU vendor (there is no amd_iommu=on).',
    warnOnly: true,
  },
  check(ctx, out) {
    const cmd = ctx.snap.host.cmdline;
    if (!cmd) {
      out.cannotCheck(null, '/proc/cmdline was not read', 'cat /proc/cmdline');
      return;
    }
    const vendor = ctx.snap.host.cpu?.vendor ?? null;
    const problems: string[] = [];
    const remove: string[] = [];
    const evidence: Evidence[] = [];
    const o = cmd.iommu;
    for (const v of o.amdIommu ?? []) {
      if (!AMD_OPTIONS.has(v)) {
        problems.push(v === 'on' ? 'amd_iommu=on is not an option (AMD-Vi is on by default when the firmware exposes it)' : `amd_iommu=${v} is not a known option`);
        remove.push(`amd_iommu=${v}`);
      }
    }
    for (const v of o.intelIommu ?? []) {
      if (!INTEL_OPTIONS.has(v)) {
        problems.push(`intel_iommu=${v} is not a known option`);
        remove.push(`intel_iommu=${v}`);
      }
    }
    if (vendor === 'amd' && o.intelIommu?.length) {
      problems.push('intel_iommu= does nothing on an AMD CPU');
      remove.push('intel_iommu');
    }
    if (vendor === 'intel' && o.amdIommu?.length && !remove.some((r) => r.startsWith('amd_iommu'))) {
      problems.push('amd_iommu= does nothing on an Intel CPU');
      remove.push('amd_iommu');
    }
    if (problems.length === 0) return;
    evidence.push({ source: '/proc/cmdline', text: cmd.tokens.filter((t) => /^(intel_iommu|amd_iommu)$/.test(t.key)).map((t) => t.raw).join(' ') });
    evidence.push(...logMatches(ctx.snap, /(AMD-Vi|DMAR|iommu).*Unknown option/i, 3));
    out.report({
      cause: 'iommu-args-invalid',
      severity: 'warn',
      title: 'Kernel command line has IOMMU options that do nothing',
      evidence,
      decision: `${problems.join('; ')}. They are harmless but misleading: remove them so that the command line says what the kernel does.${vendor === 'amd' ? ' On AMD, the IOMMU needs no option at all; only amd_iommu=off disables it.' : ''}`,
      commands: kernelArgCommands(ctx.snap, { remove: [...new Set(remove)], add: vendor === 'intel' && remove.some((r) => r.startsWith('intel_iommu')) ? ['intel_iommu=on'] : [] }),
    });
  },
};
