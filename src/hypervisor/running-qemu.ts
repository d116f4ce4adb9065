// Running QEMU processes as VMs: read from /proc/PID/cmdline (live or under --root) through the QEMU
// command-line adapter, and set aside when a libvirt or Proxmox definition already describes them, so
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
    out.push(qemuVm(parseQemuCommand(args, path), path, null, { runAs: null, pid }));
  }
  return out;
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
