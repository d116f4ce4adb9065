// The kernel log in every form people paste it: dmesg ("[    1.234567] ..."), dmesg -T, -H, -x, -r,
// --time-format=iso, journalctl -k (short, short-iso, short-precise, short-monotonic, json), syslog files,
// and bare kernel messages without any stamp ("vfio-pci 0000:c3:00.0: BAR 0: can't reserve ...").
// Journal lines of other programs (libvirtd, qemu, systemd-modules-load) become tool messages.
import { holdsAnchor } from '../../log/anchors.js';
import { decodeKnown } from '../../log/events/index.js';
import { parsePrefix, type ParsedLine } from '../../log/prefix.js';
import { matchAt, matchMessage } from '../../catalogue/match.js';
import { normaliseLine } from '../../catalogue/normalise.js';
import { whereText, type InputLine, type Recogniser } from '../types.js';
import { classifyTool, PASSTHROUGH_WORDS, toolOfIdent } from '../tools.js';
import type { ToolName } from '../../snapshot/types.js';

// A kernel message without a stamp: a "<driver> <dddd:bb:dd.f>: " prefix, a subsystem prefix, a line the
// log-event table decodes as the kernel's (src/log/events), or one of the kernel's everyday phrases.
const DEVICE_PREFIX = /^[A-Za-z0-9_.+-]+ [0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]: /;
const SUBSYSTEM = /^(?:DMAR(?:-IR)?|AMD-Vi|iommu|pci_bus|PCI(?:-DMA)?|pci|ACPI|x2apic|Lockdown|secureboot|integrity|vfio(?:_[\w]+|-pci)|pcieport|xhci_hcd|nvidia(?:-nvlink|-modeset)?|NVRM|nouveau|amdgpu|radeon|i915|snd_hda_intel|kvm(?:_intel|_amd)?|efifb|simplefb|simple-framebuffer|vesafb|fbcon|vgaarb|perf\/amd_iommu|smpboot|microcode|APIC|IOAPIC|DMI|BIOS-e820|e820|Hardware name|Modules linked in|RIP|CPU|#PF|PGD|Oops|BUG|Workqueue|Code|RSP|RAX|RBX|RDX|RBP|RSI|R08|R10|R13|FS|CS|CR2|PKRU|systemd\[1\]|audit|Kernel command line|Command line|MODSIGN|Loaded X\.509 cert|platform|Freeing|Memory|tsc|clocksource|virtio[_-]\w+|ahci|nvme|igb|ixgbe|i40e|ice|mlx5_core|e1000e|r8169|usb|hub|input|EDAC|mce|thermal|intel_\w+|amd_\w+|Spectre|MDS|RETBleed|TAA|MMIO|SRBDS|GDS)[:\s]/;
// Phrases of kernel lines that say nothing about passthrough (so they are no log event), in a pasted log.
const PHRASES = /^(?:\[drm\] |mapped APIC to |unchecked MSR access error|Call Trace:|<\/?TASK>|Console: |Booting paravirtualized kernel|Initializing cgroup)/;
const TRACE = /^\??\s*[\w.]+\+0x[0-9a-f]+\/0x[0-9a-f]+/;
// Formats that only the kernel log has; an ISO stamp or no stamp may stand in front of anything.
const KERNEL_ONLY_FORMATS = new Set(['dmesg', 'dmesg-ctime', 'dmesg-raw', 'kmsg']);

/**
 * Whether a line could be the second half of a message wrapped from the line before: matchAt joins a
 * line only when it has no prefix of its own ("headed") and is not empty. Most lines of a log have a
 * stamp, so asking this first spares matchAt's normalising of both lines (half of the recognising time,
 * and of what it allocated, on a 50 MB paste).
 */
function mayContinue(text: string): boolean {
  const n = normaliseLine(text);
  return !n.empty && !n.headed;
}

type LineKind = { kind: 'kernel' } | { kind: 'tool'; tool: ToolName } | { kind: 'other-program' };

export function classifyLogLine(text: string): LineKind | null {
  const t = text.trim();
  return t === '' ? null : classifyParsed(parsePrefix(t), t);
}

/** classifyLogLine of a trimmed line whose prefix is parsed already. */
function classifyParsed(p: ParsedLine, t: string): LineKind | null {
  const message = p.message.trim();
  if (p.format === 'journal-json') {
    if (p.ident === null || p.ident === 'kernel') return { kind: 'kernel' };
    const tool = toolOfIdent(p.ident) ?? classifyTool(message);
    return tool ? { kind: 'tool', tool } : PASSTHROUGH_WORDS.test(message) ? { kind: 'tool', tool: 'other' } : { kind: 'other-program' };
  }
  if (p.ident !== null && p.ident !== 'kernel') {
    const tool = toolOfIdent(p.ident) ?? classifyTool(message);
    if (tool) return { kind: 'tool', tool };
    return PASSTHROUGH_WORDS.test(message) ? { kind: 'tool', tool: 'other' } : { kind: 'other-program' };
  }
  if (p.ident === 'kernel' || KERNEL_ONLY_FORMATS.has(p.format)) return { kind: 'kernel' };
  // A line the table knows as the kernel's wins over a program-name guess ("kvm: disabled by bios" is the
  // kvm module, not the old "kvm" QEMU wrapper).
  const known = holdsAnchor(t) ? decodeKnown(t, 0, p) : null;
  if (known?.origin === 'kernel') return { kind: 'kernel' };
  const tool = classifyTool(message);
  if (tool) return null;
  if (DEVICE_PREFIX.test(message) || SUBSYSTEM.test(message) || PHRASES.test(message) || TRACE.test(message)) return { kind: 'kernel' };
  return null;
}

export const kernelLog: Recogniser = {
  id: 'kernel-log',
  label: 'kernel log (dmesg in any format, journalctl -k, kern.log)',
  commands: /^(?:dmesg|journalctl|cat\s+\/var\/log\/(?:kern\.log|messages|syslog|dmesg)|grep\b.*\/var\/log\/(?:kern|messages|syslog))/,
  match(lines, at) {
    const kinds: { line: InputLine; kind: LineKind }[] = [];
    let i = at;
    while (i < lines.length) {
      // A service's JSON record (no journald MESSAGE field) is the structured-log reader's.
      if (i > at && lines[i]!.text.trimStart().startsWith('{') && !lines[i]!.text.includes('"MESSAGE"')) break;
      // A message wrapped from the previous line is the wrapped-message reader's, both lines together
      // (its second half may look like a kernel line of its own: "platform RMRR requirement.").
      if (i > at && mayContinue(lines[i]!.text) && matchAt([lines[i - 1]!.text, lines[i]!.text], 0)?.span === 2) {
        kinds.pop();
        i--;
        break;
      }
      const k = classifyLogLine(lines[i]!.text);
      if (!k) break;
      kinds.push({ line: lines[i]!, kind: k });
      i++;
    }
    // The same where the run ends at a line of no log format.
    if (i < lines.length && i > at && kinds.length === i - at && mayContinue(lines[i]!.text) && matchAt([lines[i - 1]!.text, lines[i]!.text], 0)?.span === 2) {
      kinds.pop();
      i--;
    }
    if (kinds.length === 0) return null;
    return {
      length: i - at,
      apply(facts, where) {
        let kernel = 0;
        for (const { line, kind } of kinds) {
          // A user-space message the catalogue knows (a libvirt or QEMU line pasted among dmesg lines, a
          // compiler error behind a stamp) is a tool message, whatever stamp it carries: the kernel-log
          // prefilter, or the other-program filter, would drop it.
          const known = kind.kind !== 'tool' ? matchMessage(line.text) : null;
          if (known && known.entry.origin !== 'kernel') {
            facts.addTool({ tool: 'other', source: line.file, line: line.n, text: line.text.trim() });
          } else if (kind.kind === 'kernel') {
            facts.kernelLines.push({ file: line.file, n: line.n, text: line.text, command: where.command });
            kernel++;
          } else if (kind.kind === 'tool') facts.addTool({ tool: kind.tool, source: line.file, line: line.n, text: line.text.trim() });
        }
        if (kernel > 0) facts.note('kernel-log', whereText(where));
      },
    };
  },
};
