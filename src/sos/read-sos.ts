// A sosreport as a snapshot: its copied files read as a --root tree by the host collector, its command
// outputs read by the paste recognisers, and the two merged, the copied files winning where both speak.
import fs from 'node:fs';
import path from 'node:path';
import type { Origin, Snapshot, SourceRecord } from '../snapshot/types.js';
import type { HypervisorInfo, VmDefinition } from '../hypervisor/types.js';
import { collectSnapshot } from '../collect/collect.js';
import { parseKernelConfig } from '../parse/kernel-config.js';
import { PasteFacts } from '../paste/facts.js';
import { inputLines, PasteInputError } from '../paste/text.js';
import { recogniseChunk, type RecogniseResult } from '../paste/recognise.js';
import { finishSnapshot } from '../paste/read-paste.js';
import { sortedByKey } from '../text/byte-order.js';
import { openSos } from './archive.js';
import { SOS_ENTRIES, type SosEntry } from './layout.js';
import { withoutDescribedProcesses } from '../hypervisor/running-qemu.js';
import { NO_PROGRESS, type Progress } from '../progress/reporter.js';

const MAX_FILE_BYTES = 32 << 20;
// Directories that hold what SOS_ENTRIES names; the rest of the tree (thousands of sys/ files) is not walked.
const WALK = ['sos_commands', 'etc/libvirt/qemu', 'etc/pve', 'var/log/libvirt/qemu', 'var/log/apt', 'var/log'];

function walk(root: string, rel: string, depth: number, out: string[]): void {
  if (depth > 4) return;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const r = `${rel}/${e.name}`;
    if (e.isDirectory()) walk(root, r, depth + 1, out);
    else if (e.isFile()) out.push(r);
  }
}

function readCapped(file: string, tail: number | undefined): Buffer {
  const size = fs.statSync(file).size;
  const want = Math.min(size, tail ?? MAX_FILE_BYTES);
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(want);
    fs.readSync(fd, buf, 0, want, size - want);
    // A tail starts mid-line: drop the partial first line.
    return want < size ? buf.subarray(buf.indexOf(10) + 1) : buf;
  } finally {
    fs.closeSync(fd);
  }
}

function commandFiles(root: string): { rel: string; entry: SosEntry }[] {
  const files: string[] = [];
  for (const d of WALK) walk(root, d, d === 'var/log' ? 3 : 0, files);
  const out: { rel: string; entry: SosEntry }[] = [];
  for (const f of [...new Set(files)].sort()) {
    const rel = f.replace(/^\/+/, '');
    const entry = SOS_ENTRIES.find((e) => e.pattern.test(rel));
    if (entry) out.push({ rel, entry });
  }
  return out;
}

/** Where both speak, the copied file wins; a source read only through a command output is added. */
function mergeSources(base: Record<string, SourceRecord>, fromCommands: Record<string, SourceRecord>): Record<string, SourceRecord> {
  const out: Record<string, SourceRecord> = { ...fromCommands };
  for (const [id, rec] of Object.entries(base)) {
    if (rec.status === 'read' || out[id]?.status !== 'read') out[id] = rec;
  }
  return sortedByKey(out);
}

// sos does not copy /dev nor /sys/firmware/efi: what the tree lacks there says nothing about the host.
const NOT_COLLECTED: Record<string, string> = {
  dev: 'ls -l /dev/kvm /dev/vfio',
  'dev/vfio': 'ls -l /dev/vfio',
  'dev/vfio/devices': 'ls -l /dev/vfio/devices',
};

/** The same VM is often in a sosreport twice: its file under etc/ and a command's output (virsh dumpxml,
 *  qm config). The file, read with the rest of the host, is kept; a VM only a command shows is added. */
function mergeHypervisor(base: HypervisorInfo | undefined, cmd: HypervisorInfo | undefined): HypervisorInfo {
  if (!base || !cmd) return (base ?? cmd)!;
  const same = (a: VmDefinition, b: VmDefinition) => a.manager === b.manager && (a.name === b.name || (a.id !== null && a.id === b.id));
  return {
    ...base,
    // A QEMU process in sos's ps output is left out when a copied definition describes it.
    vms: withoutDescribedProcesses([...base.vms, ...cmd.vms.filter((v) => !base.vms.some((b) => same(b, v)))]),
    libvirtNodedevs: base.libvirtNodedevs ?? cmd.libvirtNodedevs,
  };
}

export function mergeSos(base: Snapshot, cmd: Snapshot, origin: Origin, collected: { dev: boolean; efi: boolean } = { dev: false, efi: false }): Snapshot {
  const host = base.host;
  const merged: Snapshot = {
    ...base,
    origin,
    privileged: null,
    sources: mergeSources(base.sources, cmd.sources),
    host: {
      ...host,
      hostname: host.hostname ?? cmd.host.hostname,
      kernelRelease: host.kernelRelease ?? cmd.host.kernelRelease,
      kernelVersion: host.kernelVersion ?? cmd.host.kernelVersion,
      architecture: host.architecture ?? cmd.host.architecture,
      cmdline: host.cmdline ?? cmd.host.cmdline,
      osRelease: host.osRelease ?? cmd.host.osRelease,
      cpu: host.cpu ?? cmd.host.cpu,
      installedKernels: host.installedKernels.length ? host.installedKernels : cmd.host.installedKernels,
      virtualMachine: host.virtualMachine ?? cmd.host.virtualMachine,
    },
    kernelConfig: base.kernelConfig ?? cmd.kernelConfig,
    firmware: {
      acpiTables: base.firmware.acpiTables.DMAR === null && base.firmware.acpiTables.IVRS === null ? cmd.firmware.acpiTables : base.firmware.acpiTables,
      efi: base.firmware.efi ?? cmd.firmware.efi,
      secureBoot: base.firmware.secureBoot ?? cmd.firmware.secureBoot,
      setupMode: base.firmware.setupMode ?? cmd.firmware.setupMode,
      lockdown: base.firmware.lockdown ?? cmd.firmware.lockdown,
    },
    iommu: base.iommu.groups !== null || base.iommu.units.length > 0 ? base.iommu : cmd.iommu,
    // sos_commands/kernel/dmesg is this boot's ring buffer; var/log files hold older boots too.
    kernelLog: cmd.kernelLog ?? base.kernelLog,
    pci: base.pci.length > 0 ? base.pci : cmd.pci,
    modules: {
      ...base.modules,
      loaded: base.modules.loaded ?? cmd.modules.loaded,
      builtin: base.modules.builtin ?? cmd.modules.builtin,
      modprobe: base.modules.modprobe.length ? base.modules.modprobe : cmd.modules.modprobe,
      loadAtBoot: [...base.modules.loadAtBoot, ...cmd.modules.loadAtBoot],
    },
    devnodes: base.devnodes.vfio !== null || base.devnodes.kvm !== null ? base.devnodes : cmd.devnodes,
    iomem: base.iomem ?? cmd.iomem,
    interrupts: base.interrupts ?? cmd.interrupts,
    initramfs: base.initramfs ?? cmd.initramfs,
    toolMessages: [...base.toolMessages, ...cmd.toolMessages],
    ...(base.hypervisor || cmd.hypervisor ? { hypervisor: mergeHypervisor(base.hypervisor, cmd.hypervisor) } : {}),
    ...(base.pasted || cmd.pasted ? { pasted: (cmd.pasted ?? base.pasted)! } : {}),
  };
  if (!collected.dev) {
    for (const [id, settle] of Object.entries(NOT_COLLECTED)) {
      if (merged.sources[id]?.status !== 'read') merged.sources[id] = { status: 'absent', message: `not in the sosreport (sos does not collect /dev); ${settle} shows it` };
    }
  }
  if (!collected.efi && base.firmware.efi === false) merged.firmware.efi = cmd.firmware.efi;
  return merged;
}

export interface SosResult {
  snapshot: Snapshot;
  /** Lines of command outputs that no recogniser read, per file. */
  notUnderstood: RecogniseResult['notUnderstood'];
}

/** Reads a sosreport directory or archive into a snapshot. Throws SosInputError for unusable input. */
export async function readSos(input: string, opts: { now?: Date; progress?: Progress } = {}): Promise<SosResult> {
  const progress = opts.progress ?? NO_PROGRESS;
  progress.phase(`opening the sosreport ${input}`);
  const opened = await openSos(input);
  try {
    const origin: Origin = { kind: 'sos', path: path.resolve(input) };
    progress.phase('reading the host files in the sosreport');
    const base = await collectSnapshot({ root: opened.root, now: opts.now });
    progress.phase('reading the command outputs in the sosreport');
    const facts = new PasteFacts();
    const result: RecogniseResult = { sections: [], notUnderstood: [] };
    for (const { rel, entry } of commandFiles(opened.root)) {
      let lines;
      try {
        lines = inputLines(readCapped(path.join(opened.root, rel), entry.tailBytes), rel);
      } catch (err) {
        // sos keeps the (empty) output of commands that found nothing; that is not an error of the report.
        if (err instanceof PasteInputError) continue;
        throw err;
      }
      const command = entry.command(rel);
      recogniseChunk({ file: rel, command, shows: command.startsWith('cat ') ? command.slice(4) : null, lines }, facts, result);
    }
    const fromCommands = await finishSnapshot(facts, origin, 'the sosreport', opts.now);
    const snap = mergeSos(base, fromCommands, origin, { dev: fs.existsSync(path.join(opened.root, 'dev')), efi: fs.existsSync(path.join(opened.root, 'sys/firmware/efi')) });
    // The kernel plugin copies /boot/config-<release>; the collector could not name it without the release.
    if (!snap.kernelConfig && snap.host.kernelRelease) {
      const rel = `boot/config-${snap.host.kernelRelease}`;
      const file = path.join(opened.root, rel);
      if (fs.existsSync(file)) {
        snap.kernelConfig = { path: `/${rel}`, options: parseKernelConfig(fs.readFileSync(file, 'utf8')) };
        snap.sources['kernel-config'] = { status: 'read', path: `/${rel}` };
      }
    }
    return { snapshot: snap, notUnderstood: result.notUnderstood };
  } finally {
    opened.cleanup();
  }
}
