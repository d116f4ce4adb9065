// Running QEMU processes as VMs: read from /proc/PID/cmdline (live or under --root) through the QEMU
// command-line adapter, with the locked-memory limit the process is held to, and set aside when a libvirt or Proxmox definition already describes them, so
// that a VM is counted once whatever number of sources show it.
import { note, type CollectContext } from '../collect/context.js';
import { cmdlineArgs, isQemuBinary, parseQemuCommand, qemuVm } from './qemu-argv.js';
import { isSlotAddress } from '../pci/address.js';
import type { VmDefinition } from './types.js';

// A QEMU command line with hundreds of devices stays far below this.
const CMDLINE_MAX = 1 << 20;

/** Every process whose argv[0] is a QEMU system emulator. */
export function collectQemuProcesses(ctx: CollectContext): VmDefinition[] {
  const listing = ctx.fs.readDir('/proc');
  if (!listing.ok) return [];
  const out: VmDefinition[] = [];
  for (const pid of listing.value.filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(a) - Number(b))) {
    const path = `/proc/${pid}/cmdline`;
    // Processes come and go while /proc is walked: one that is gone (or not ours to read) is no VM of note.
    const r = ctx.fs.readBytes(path, CMDLINE_MAX);
    if (!r.ok) continue;
    const args = cmdlineArgs(r.value);
    if (args.length === 0 || !isQemuBinary(args[0]!.text)) continue;
    note(ctx, `qemu-process:${pid}`, r.record);
    const vm = qemuVm(parseQemuCommand(args, path), path, null, { runAs: null, pid });
    // VFIO's pinning is charged against RLIMIT_MEMLOCK unless the process holds CAP_IPC_LOCK. Without
    // its capabilities the limit cannot be judged, so it is left unsaid.
    const status = ctx.fs.readText(`/proc/${pid}/status`, 64 * 1024);
    const limits = ctx.fs.readText(`/proc/${pid}/limits`, 64 * 1024);
    const kib = limits.ok ? procMemlockKiB(limits.value) : undefined;
    if (status.ok && holdsIpcLock(status.value) === false && kib !== undefined) vm.hardLimitKiB = kib;
    out.push(vm);
  }
  return out;
}

/** The soft "Max locked memory" of /proc/PID/limits (the one the kernel checks) in KiB; null when
 *  unlimited; undefined when the line is not there. */
export function procMemlockKiB(limits: string): number | null | undefined {
  const m = /^Max locked memory\s+(\S+)\s/m.exec(limits);
  if (!m) return undefined;
  if (m[1] === 'unlimited') return null;
  return /^\d+$/.test(m[1]!) ? Math.floor(Number(m[1]) / 1024) : undefined;
}

/** Whether CapEff of /proc/PID/status holds CAP_IPC_LOCK (capability 14); null without the line. */
export function holdsIpcLock(status: string): boolean | null {
  const m = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(status);
  return m ? (parseInt(m[1]!.slice(-4), 16) & (1 << 14)) !== 0 : null;
}

/** A written address stands for a function: itself, or (a Proxmox slot) each function of the slot. */
const covers = (written: string, fn: string) => written === fn || (isSlotAddress(written) && fn.startsWith(`${written}.`));

function sameFunctions(def: VmDefinition, proc: VmDefinition): boolean {
  const p = proc.devices.flatMap((d) => d.addresses);
  const d = def.devices.flatMap((x) => x.addresses);
  if (p.length === 0 || d.length === 0) return false;
  return p.every((a) => d.some((w) => covers(w, a))) && d.every((w) => p.some((a) => covers(w, a)));
}

/**
 * Whether a manager's definition describes a running QEMU: libvirt passes the domain name (-name guest=)
 * and uuid (-uuid), Proxmox the VMID (-id) and name; failing those, the same set of host functions.
 */
export function describes(def: VmDefinition, proc: VmDefinition): boolean {
  if (def.manager === 'qemu' || proc.manager !== 'qemu') return false;
  if (def.name === proc.name || (def.id !== null && def.id === proc.id)) return true;
  return sameFunctions(def, proc);
}

/** The VMs with every QEMU process a definition describes left out, and each process once. */
export function withoutDescribedProcesses(vms: VmDefinition[]): VmDefinition[] {
  const defs = vms.filter((v) => v.manager !== 'qemu');
  const out: VmDefinition[] = [];
  for (const v of vms) {
    if (v.manager === 'qemu') {
      if (defs.some((d) => describes(d, v))) continue;
      const key = (x: VmDefinition) => JSON.stringify([x.name, x.id, x.devices.flatMap((d) => d.addresses)]);
      if (out.some((o) => o.manager === 'qemu' && key(o) === key(v))) continue;
    }
    out.push(v);
  }
  return out;
}
