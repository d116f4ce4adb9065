// virt-host-validate (libvirt tools/virt-host-validate*.c): one line per check, "%6s: Checking %-60s: "
// followed by PASS, or FAIL / WARN / NOTE with the hint in parentheses:
//   "  QEMU: Checking for device assignment IOMMU support      : WARN (No ACPI DMAR table found, ...)"
// Each line is a claim of that checker (pasted.claims), tied to the layer its check is about.
import type { CheckerClaim } from '../../snapshot/types.js';
import type { Layer } from '../../analyze/layers.js';
import { whereText, type Recogniser } from '../types.js';

const LINE = /^\s*([A-Za-z]{1,8}): Checking (.+?)\s*: (PASS|FAIL|WARN|NOTE)(?: \((.*)\))?\s*$/;

/** The checks whose subject vfio-doctor judges: which layer, and the cause a failure points to. */
const CHECKS: { check: RegExp; hint?: RegExp; layer: Layer; cause: string }[] = [
  { check: /^for hardware virtualization$/, layer: 'firmware', cause: 'virtualization-disabled' },
  { check: /^for device assignment IOMMU support$/, hint: /No ACPI (DMAR|IVRS) table found/, layer: 'firmware', cause: 'iommu-disabled-firmware' },
  { check: /^if IOMMU is enabled by kernel$/, hint: /Add .* to kernel cmdline/, layer: 'kernel', cause: 'iommu-disabled-cmdline' },
  { check: /^if IOMMU is enabled by kernel$/, hint: /not compiled into kernel/, layer: 'kernel', cause: 'iommu-inactive' },
  { check: /^if IOMMU is enabled by kernel$/, layer: 'kernel', cause: 'iommu-inactive' },
  { check: /^if device \/dev\/kvm (exists|is accessible)$/, layer: 'hypervisor', cause: 'kvm-unavailable' },
];

export function virtHostValidateClaim(text: string, where: string): CheckerClaim | null {
  const m = LINE.exec(text);
  if (!m) return null;
  const [, , check, word, hint] = m;
  const status = word!.toLowerCase() as CheckerClaim['status'];
  // A PASS names no hint; "Unknown if this platform has IOMMU support" judges nothing.
  const row = CHECKS.find((c) => c.check.test(check!) && (status === 'pass' || !c.hint || c.hint.test(hint ?? '')));
  const unknown = /^Unknown if /.test(hint ?? '');
  return {
    checker: 'virt-host-validate',
    status,
    check: check!,
    layer: row && !unknown ? row.layer : null,
    cause: row && !unknown ? row.cause : null,
    where,
    text: text.trim(),
  };
}

export const virtHostValidate: Recogniser = {
  id: 'virt-host-validate',
  label: 'virt-host-validate',
  commands: /virt-host-validate/,
  match(lines, at) {
    let i = at;
    while (i < lines.length && LINE.test(lines[i]!.text)) i++;
    if (i === at) return null;
    const slice = lines.slice(at, i);
    return {
      length: i - at,
      apply(facts, where) {
        for (const l of slice) {
          const c = virtHostValidateClaim(l.text, `${l.file}:${l.n}`);
          if (c) facts.claims.push(c);
        }
        facts.note('virt-host-validate', whereText(where), 'virt-host-validate output');
      },
    };
  },
};
