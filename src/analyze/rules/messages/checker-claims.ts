// What other checkers concluded (pasted.claims: virt-host-validate) is a claim, not a fact. A failed or
// warned check points to its layer when nothing else speaks, and only as a warning, so a failing finding
// from the kernel's own lines always decides first. When the kernel's evidence says the opposite, the
// claim is shown as contradicted, with the line that contradicts it.
import type { CheckerClaim, Snapshot } from '../../../snapshot/types.js';
import type { Evidence } from '../../finding.js';
import type { AnalysisContext } from '../../context.js';
import type { Layer } from '../../layers.js';
import type { Rule } from '../../rule.js';
import { seenEvents } from '../evidence-events.js';
import type { Signal } from '../../../log/events/types.js';

export const CLAIM_RULE_PREFIX = 'claim-';

/** The layers claims are judged on, with the causes their checks point to. */
const CLAIM_CAUSES: Partial<Record<Layer, string[]>> = {
  firmware: ['iommu-disabled-firmware', 'virtualization-disabled'],
  kernel: ['iommu-disabled-cmdline', 'iommu-inactive'],
  hypervisor: ['kvm-unavailable'],
};

// How to settle each claim on the host itself.
const SETTLE: Record<string, string> = {
  'iommu-disabled-firmware': 'ls /sys/firmware/acpi/tables; dmesg | grep -i -e DMAR -e IVRS -e AMD-Vi',
  'virtualization-disabled': "grep -c -w -e vmx -e svm /proc/cpuinfo",
  'iommu-disabled-cmdline': 'cat /proc/cmdline; ls /sys/kernel/iommu_groups',
  'iommu-inactive': 'ls /sys/class/iommu /sys/kernel/iommu_groups',
  'kvm-unavailable': 'ls -l /dev/kvm; lsmod | grep kvm',
};

function logSaying(snap: Snapshot, signals: Signal[]): Evidence | null {
  return seenEvents(snap).find((e) => e.from === 'kernel' && e.event.signals.some((s) => signals.includes(s)))?.evidence ?? null;
}

/** Evidence from the host's own sources that the claim is wrong, or null. */
function contradiction(ctx: AnalysisContext, c: CheckerClaim): Evidence | null {
  const s = ctx.snap;
  const groups = ctx.iommuActive === true ? { source: 'IOMMU groups', text: `${s.iommu.groups?.length ?? 'some'} IOMMU groups exist: DMA remapping is active` } : null;
  switch (c.cause) {
    case 'iommu-disabled-firmware': {
      const table = s.firmware.acpiTables.DMAR === true ? 'DMAR' : s.firmware.acpiTables.IVRS === true ? 'IVRS' : null;
      return groups ?? (table ? { source: s.sources['acpi-tables']?.path ?? 'ACPI tables', text: `the ${table} table is present` } : null) ?? logSaying(s, ['iommu-table-present', 'iommu-hardware-present', 'dma-remapping-active']);
    }
    case 'iommu-disabled-cmdline':
    case 'iommu-inactive':
      return groups ?? logSaying(s, ['dma-remapping-active']);
    case 'virtualization-disabled':
      return s.host.cpu && (s.host.cpu.vmx || s.host.cpu.svm) ? { source: '/proc/cpuinfo', text: `flags include ${s.host.cpu.vmx ? 'vmx' : 'svm'}` } : null;
    case 'kvm-unavailable':
      return s.devnodes.kvm ? { source: '/dev/kvm', text: 'present' } : null;
    default:
      return null;
  }
}

function ruleFor(layer: Layer, causes: string[]): Rule {
  return {
    meta: {
      id: `${CLAIM_RULE_PREFIX}${layer}`,
      layer,
      causes,
      title: `Other checkers' ${layer} claims`,
      description: `What another checker (virt-host-validate) concluded about the ${layer} layer: a warning that points to the layer when the host's own evidence is silent, shown as contradicted when the kernel's lines or sysfs say otherwise.`,
      warnOnly: true,
    },
    check(ctx, out) {
      for (const c of ctx.snap.pasted?.claims ?? []) {
        if (c.layer !== layer || c.cause === null || (c.status !== 'fail' && c.status !== 'warn')) continue;
        const [file, line] = [c.where.replace(/:\d+$/, ''), Number(/:(\d+)$/.exec(c.where)?.[1] ?? 0)];
        const said: Evidence = { source: file, line, text: c.text };
        const against = contradiction(ctx, c);
        out.report({
          cause: c.cause,
          severity: against ? 'info' : 'warn',
          title: against ? `${c.checker} claims a failure the host's own evidence contradicts: checking ${c.check}` : `${c.checker} reports a failed check: ${c.check}`,
          evidence: against ? [said, against] : [said],
          decision: against
            ? `${c.checker} printed ${c.status.toUpperCase()} for "${c.check}", but ${against.source} says otherwise; the host's own evidence wins (the checker may have run on another boot or without root).`
            : `${c.checker} printed ${c.status.toUpperCase()} for "${c.check}". That is its conclusion, not the kernel's: nothing else here speaks about this layer, so it points here until the host's own evidence settles it.`,
          commands: [SETTLE[c.cause] ?? 'dmesg'],
        });
      }
    },
  };
}

export const CLAIM_RULES: Rule[] = Object.entries(CLAIM_CAUSES).map(([layer, causes]) => ruleFor(layer as Layer, causes!));
