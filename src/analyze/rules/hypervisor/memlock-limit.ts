import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { eventsOf, toolLines } from '../evidence-events.js';

// A VM with an assigned device has all its RAM pinned for DMA, counted against RLIMIT_MEMLOCK of the VMM
// process. The kernel says so ("vfio_pin_pages_remote: RLIMIT_MEMLOCK (N) exceeded"), QEMU as a failed
// DMA map with -12 (ENOMEM), cloud-hypervisor as a failed VFIO DMA mapping.
const VMM_ENOMEM = /vfio_(?:container_)?dma_map\(.*\) = -12\b|VFIO_MAP_DMA(?: failed)?: (?:-12|Cannot allocate memory)|memory listener initialization failed|Vfio\w*(?:Map|Dma)\w*.*(?:Cannot allocate memory|os error 12|ENOMEM)|cannot set up DMA remapping, error 12/;

function human(kib: number): string {
  return kib >= 1048576 ? `${(kib / 1048576).toFixed(1)} GiB` : kib >= 1024 ? `${Math.round(kib / 1024)} MiB` : `${kib} KiB`;
}

export const memlockLimit: Rule = {
  meta: {
    id: 'memlock-limit',
    layer: 'hypervisor',
    title: 'Locked-memory limit for DMA mappings',
    causes: ['memlock-limit'],
    description: 'The VMM could pin guest memory for DMA: no RLIMIT_MEMLOCK or ENOMEM failure of a VFIO DMA mapping was logged.',
  },
  check(ctx, out) {
    const s = ctx.snap;
    const kernel = eventsOf(s, ['vfio-memlock-exceeded']);
    const vmm = toolLines(s, VMM_ENOMEM);
    if (kernel.length === 0 && vmm.length === 0) return;
    const evidence: Evidence[] = [...kernel.map((e) => e.evidence), ...vmm.map((t) => t.evidence)].slice(0, 5);
    const limitBytes = kernel.map((e) => e.event.fields['limitBytes']).find((v): v is number => typeof v === 'number');
    const limits = s.pasted?.memlock;
    if (limits) evidence.push({ source: limits.from, text: `locked-memory limit: ${limits.limitKiB === null ? 'unlimited' : human(limits.limitKiB)}` });
    const guestKiB = (s.hypervisor?.vms ?? []).map((v) => v.memoryKiB).filter((m): m is number => m !== null).sort((a, b) => b - a)[0];
    if (guestKiB !== undefined) evidence.push({ source: 'VM definition', text: `guest memory ${human(guestKiB)}` });
    const chv = vmm.some((t) => t.message.tool === 'cloud-hypervisor') || s.toolMessages.some((m) => m.tool === 'cloud-hypervisor');
    const need = guestKiB !== undefined ? `at least the guest memory (${human(guestKiB)}) plus some headroom` : 'at least the guest memory size';
    out.report({
      cause: 'memlock-limit',
      severity: 'fail',
      title: `The VM process may not lock enough memory for VFIO${limitBytes !== undefined ? ` (limit ${human(Math.floor(limitBytes / 1024))})` : ''}`,
      evidence,
      decision: `Device assignment pins all guest RAM, so RLIMIT_MEMLOCK of the process that runs the VM must be ${need}. Raise it where that process is started: LimitMEMLOCK=infinity in its systemd unit, a memlock line in /etc/security/limits.conf for its user, or "ulimit -l unlimited" in the shell that starts it. libvirt raises it itself for hostdevs unless <memtune><hard_limit> caps it; ${chv ? 'cloud-hypervisor run as a normal user gets the 64 KiB/8 MiB default' : 'a VMM started by hand keeps the shell\'s default (often 64 KiB or 8 MiB)'}. Hugepage-backed guest memory (--memory ...,file=/dev/hugepages) is pinned the same way and needs the limit too.`,
      commands: ['ulimit -l', 'grep -i "locked memory" /proc/$(pgrep -f -n "qemu|cloud-hypervisor")/limits', 'ulimit -l unlimited  # in the shell that starts the VMM, as root or with a raised hard limit'],
    });
  },
};
