// Lines that carry a catalogue message (catalogue/*.json) behind a prefix no other recogniser expects,
// or wrapped over several lines. The wrapped reader is asked first, so a message cut in two by a
// terminal or a forum is read whole before the kernel-log or tool readers take its first half; the
// single-line reader is asked last, for what nobody else claimed.
import { matchAt, type CatalogueHit } from '../../catalogue/match.js';
import type { CatalogueOrigin } from '../../catalogue/types.js';
import type { ToolName } from '../../snapshot/types.js';
import type { PasteFacts } from '../facts.js';
import type { InputLine, Recogniser } from '../types.js';

const TOOL_OF: Record<CatalogueOrigin, ToolName | 'kernel'> = {
  kernel: 'kernel',
  qemu: 'qemu',
  libvirt: 'libvirt',
  proxmox: 'proxmox',
  kubevirt: 'kubevirt',
  container: 'other',
  dpdk: 'dpdk',
  spdk: 'dpdk',
  modprobe: 'modprobe',
  sysfs: 'shell',
  dkms: 'dkms',
  kbuild: 'dkms',
  shell: 'shell',
  'cloud-hypervisor': 'cloud-hypervisor',
};

// The longest message re-joined from wrapped lines.
const WINDOW = 3;

function record(facts: PasteFacts, first: InputLine, h: CatalogueHit, text: string, command: string | null): void {
  const tool = TOOL_OF[h.entry.origin];
  if (tool === 'kernel') facts.kernelLines.push({ file: first.file, n: first.n, text, command });
  else facts.addTool({ tool, source: first.file, line: first.n, text });
}

function recogniser(id: string, label: string, wrappedOnly: boolean): Recogniser {
  return {
    id,
    label,
    commands: null,
    match(lines, at) {
      const window = lines.slice(at, at + WINDOW).map((l) => l.text);
      const h = matchAt(window, 0);
      if (!h || (wrappedOnly && h.span < 2)) return null;
      return {
        length: h.span,
        apply(facts, where, taken) {
          // The text as given, prefixes and all (they name the device), re-joined when it was wrapped.
          record(facts, taken[0]!, h, h.raw, where.command);
        },
      };
    },
  };
}

export const wrappedMessage = recogniser('wrapped-message', 'error messages wrapped over several lines', true);
export const catalogueMessage = recogniser('catalogue-message', 'known error messages (catalogue) behind any prefix', false);
