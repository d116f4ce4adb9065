import type { Layer } from '../../analyze/layers.js';
import type { CmdlineToken, CpuVendor } from '../../snapshot/types.js';
import { normaliseParamName } from '../../parse/cmdline.js';
import type { ChangeKind } from '../types.js';
import { change, type ChangeClass } from './class.js';

// The running kernel and the command-line options that steer IOMMU/VFIO. Each option is compared as
// the set of tokens written for it, so the evidence names exactly the tokens added or dropped. Other
// tokens (root=, quiet ...) are reported once, as neutral, so nothing on the line changes unseen.

/** Options compared token by token; vfio-pci.ids belongs to the vfio-ids class, which also reads modprobe.d. */
const OPTION_LAYER: [RegExp, Layer][] = [
  [/^(intel_iommu|amd_iommu|iommu|iommu\..*|intremap|nox2apic|dmar.*|ivrs_.*|vfio_iommu_type1\.allow_unsafe_interrupts|iommufd\..*)$/, 'kernel'],
  [/^(pcie_acs_override)$/, 'isolation'],
  [/^(pci)$/, 'kernel'],
  [/^(initcall_blacklist|modprobe\.blacklist|rd\.driver\.pre|rd\.driver\.blacklist|pci_stub\.ids|driverctl\..*)$/, 'binding'],
  [/^(video)$/, 'device'],
  [/^(lockdown|module\.sig_enforce)$/, 'modules'],
  [/^(kvm.*)$/, 'hypervisor'],
  [/^(vfio.*)$/, 'modules'],
];

/** Tokens that only follow the kernel image (they change with every update and say nothing new). */
const IGNORED = new Set(['boot_image', 'initrd']);

function layerOf(key: string, tokens: CmdlineToken[]): Layer | null {
  if (key === 'vfio_pci.ids') return null;
  // pci= carries many unrelated switches; only its ACS ones (config_acs, disable_acs_redir) decide isolation.
  if (key === 'pci' && tokens.some((t) => /acs/i.test(t.value ?? ''))) return 'isolation';
  for (const [re, layer] of OPTION_LAYER) if (re.test(key)) return layer;
  return null;
}

function values(tokens: CmdlineToken[]): string[] {
  return tokens.flatMap((t) => (t.value ?? '').split(',')).map((v) => v.trim().toLowerCase());
}

function truthy(tokens: CmdlineToken[]): boolean {
  return tokens.some((t) => t.value === null || /^(1|y|yes|on)$/i.test(t.value));
}

/**
 * Whether moving from `before` to `after` tokens of one option makes passthrough better or worse.
 * Only effects that are certain count: an option that switches the IOMMU, interrupt remapping or
 * isolation on or off. Tuning options (iommu=pt, strict, sm_on ...) are neutral.
 */
function judge(key: string, before: CmdlineToken[], after: CmdlineToken[], cpu: CpuVendor | null): ChangeKind {
  const was = values(before);
  const now = values(after);
  const gained = (v: string) => !was.includes(v) && now.includes(v);
  const lost = (v: string) => was.includes(v) && !now.includes(v);
  const onOff = (applies: boolean, onWord: string | null): ChangeKind => {
    if (!applies) return 'neutral';
    if (gained('off') || (onWord !== null && lost(onWord))) return 'regression';
    if (lost('off') || (onWord !== null && gained(onWord))) return 'improvement';
    return 'neutral';
  };
  switch (key) {
    // intel_iommu=on matters because many distribution kernels leave VT-d off by default; on an AMD CPU it is ignored.
    case 'intel_iommu':
      return onOff(cpu !== 'amd', 'on');
    // There is no amd_iommu=on: only "off" changes anything.
    case 'amd_iommu':
      return onOff(cpu !== 'intel', null);
    case 'iommu':
    case 'intremap':
      return onOff(true, null);
    case 'vfio_iommu_type1.allow_unsafe_interrupts':
    case 'iommufd.allow_unsafe_interrupts':
      // Lets a guest forge interrupts: a security regression even when it makes assignment work.
      return truthy(after) && !truthy(before) ? 'regression' : 'neutral';
    case 'pcie_acs_override':
      // Fakes isolation the hardware does not give; the group changes themselves are reported separately.
      return after.length > 0 && before.length === 0 ? 'regression' : 'neutral';
    case 'vfio.enable_unsafe_noiommu_mode':
      return truthy(after) && !truthy(before) ? 'regression' : truthy(before) && !truthy(after) ? 'improvement' : 'neutral';
    default:
      return 'neutral';
  }
}

/** The DESIGN cause a regressing option brings about. */
const CAUSE: Record<string, string> = {
  intel_iommu: 'iommu-disabled-cmdline',
  amd_iommu: 'iommu-disabled-cmdline',
  iommu: 'iommu-disabled-cmdline',
  intremap: 'irq-remap-missing',
  pcie_acs_override: 'acs-override-in-use',
};
const CMDLINE_CAUSES = [...new Set(Object.values(CAUSE))];

function byKey(tokens: CmdlineToken[]): Map<string, CmdlineToken[]> {
  const m = new Map<string, CmdlineToken[]>();
  for (const t of tokens) {
    const k = normaliseParamName(t.key);
    const list = m.get(k);
    if (list) list.push(t);
    else m.set(k, [t]);
  }
  return m;
}

function minus(a: CmdlineToken[], b: CmdlineToken[]): string[] {
  const rest = b.map((t) => t.raw);
  const out: string[] = [];
  for (const t of a) {
    const i = rest.indexOf(t.raw);
    if (i >= 0) rest.splice(i, 1);
    else out.push(t.raw);
  }
  return out;
}

export const kernelCmdline: ChangeClass = {
  meta: {
    id: 'kernel-cmdline',
    layer: 'kernel',
    alsoLayers: ['modules', 'binding', 'isolation', 'device', 'hypervisor'],
    causes: CMDLINE_CAUSES,
    title: 'Kernel and command line',
    description: 'The kernel release and build, and every command-line option that matters to passthrough, judged by the layer it acts on (IOMMU switches, interrupt remapping, ACS override, blacklists, VFIO ids).',
    reports: ['kernel-changed', 'kernel-rebuilt', 'cmdline-option-added', 'cmdline-option-dropped', 'cmdline-option-changed', 'cmdline-other-changed'],
  },
  compare(ctx, out) {
    const ha = ctx.a.snap.host;
    const hb = ctx.b.snap.host;
    if (ha.kernelRelease !== hb.kernelRelease) {
      out.add(
        change('kernel-changed', 'kernel', 'neutral', `Kernel changed: ${ha.kernelRelease ?? 'unknown'} → ${hb.kernelRelease ?? 'unknown'}`, [
          { what: 'kernel release', before: ha.kernelRelease, after: hb.kernelRelease, source: '/proc/sys/kernel/osrelease' },
        ]),
      );
    } else if (ha.kernelVersion !== null && hb.kernelVersion !== null && ha.kernelVersion !== hb.kernelVersion) {
      // Same release name, different build: a rebuilt package (DKMS, a respin) that kept the name.
      out.add(
        change('kernel-rebuilt', 'kernel', 'neutral', `Kernel ${hb.kernelRelease ?? ''} was rebuilt under the same release name`, [
          { what: 'kernel build', before: ha.kernelVersion, after: hb.kernelVersion, source: '/proc/version' },
        ]),
      );
    }
    if (!ha.cmdline || !hb.cmdline) {
      if (ha.cmdline || hb.cmdline) out.note(`kernel command line not compared: it was not read in the ${ha.cmdline ? 'later' : 'earlier'} snapshot`);
      return;
    }
    const cpu = hb.cpu?.vendor ?? ha.cpu?.vendor ?? null;
    const before = byKey(ha.cmdline.tokens);
    const after = byKey(hb.cmdline.tokens);
    const keys = [...new Set([...before.keys(), ...after.keys()])];
    const otherAdded: string[] = [];
    const otherDropped: string[] = [];
    for (const key of keys) {
      if (IGNORED.has(key) || key === 'vfio_pci.ids') continue;
      const tb = before.get(key) ?? [];
      const ta = after.get(key) ?? [];
      const dropped = minus(tb, ta);
      const added = minus(ta, tb);
      if (dropped.length === 0 && added.length === 0) continue;
      const layer = layerOf(key, [...tb, ...ta]);
      if (layer === null) {
        otherAdded.push(...added);
        otherDropped.push(...dropped);
        continue;
      }
      let kind = judge(key, tb, ta, cpu);
      // Kernels built with the IOMMU on by default keep it on without intel_iommu=on: then dropping it changed nothing.
      const stillOn = kind === 'regression' && key === 'intel_iommu' && dropped.length > 0 && ctx.b.iommuActive === true;
      if (stillOn) kind = 'neutral';
      const verb = added.length && dropped.length ? 'changed' : added.length ? 'added' : 'dropped';
      const shown = [...dropped.map((t) => `-${t}`), ...added.map((t) => `+${t}`)].join(' ');
      out.add(
        change(`cmdline-option-${verb}`, layer, kind, `Kernel command line: ${key} ${verb} (${shown})${stillOn ? ' — the IOMMU is still active (on by default in this kernel)' : ''}`, [
          { what: key, before: tb.length ? tb.map((t) => t.raw).join(' ') : null, after: ta.length ? ta.map((t) => t.raw).join(' ') : null, source: '/proc/cmdline' },
        ], { cause: kind === 'regression' ? CAUSE[key] ?? null : null }),
      );
    }
    if (otherAdded.length || otherDropped.length) {
      out.add(
        change('cmdline-other-changed', 'kernel', 'neutral', 'Kernel command line: other options changed', [
          { what: 'dropped', before: otherDropped.join(' ') || null, after: null, source: '/proc/cmdline' },
          { what: 'added', before: null, after: otherAdded.join(' ') || null, source: '/proc/cmdline' },
        ].filter((e) => e.before !== null || e.after !== null)),
      );
    }
  },
};
