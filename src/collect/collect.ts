import path from 'node:path';
import { SCHEMA_VERSION, type Snapshot } from '../snapshot/types.js';
import { VERSION } from '../version.js';
import { HostFs } from './host-fs.js';
import type { CollectContext } from './context.js';
import { collectHost } from './sources/host.js';
import { collectKernelConfig } from './sources/kernel-config.js';
import { collectFirmware } from './sources/firmware.js';
import { collectIommu } from './sources/iommu.js';
import { collectPci, readDetail } from './sources/pci.js';
import { loadPciNames } from './sources/pci-names.js';
import { collectModules, matchAliases } from './sources/modules.js';
import { collectDevNodes } from './sources/devnodes.js';
import { collectIomem, collectInterrupts } from './sources/memory-and-irqs.js';
import { collectKernelLogSource } from './sources/kernel-log.js';
import { collectBoot } from './sources/boot.js';
import { collectHostCritical } from './sources/host-critical.js';
import { collectInitramfs, noteInitramfsNotRead } from './sources/initramfs.js';
import { collectHypervisor } from '../hypervisor/collect.js';
import { sortedByKey } from '../text/byte-order.js';

export interface CollectOptions {
  /** A directory holding a copy of a host's files; absent for the live host. */
  root?: string;
  commandTimeoutMs?: number;
  now?: Date;
  /** Read the running kernel's initramfs (default true). preflight judges another kernel's image and
   *  skips it: decompressing an image costs more than the rest of a small host's collection. A function
   *  decides from everything else collected (check asks whether the image can change its analysis). */
  readInitramfs?: boolean | ((collected: Snapshot) => boolean);
  /**
   * A light collection: PCI functions are read without the attributes only some need (readDetail():
   * revision, modalias, boot_vga, reset_method, power and NUMA attributes, VF links), and once
   * everything else is read (before the initramfs is decided on), this names the functions to read
   * them of; modules.alias is matched against those functions' modaliases only. Absent: every field
   * of every function (snapshot, diff and fleet rely on that).
   */
  detailFor?: (collected: Snapshot) => Iterable<string>;
}

/** Reads a host (live, or a tree under --root) into a snapshot. Never writes to the host. */
export async function collectSnapshot(opts: CollectOptions = {}): Promise<Snapshot> {
  const root = opts.root ? path.resolve(opts.root) : '';
  const fs = new HostFs(root);
  const ctx: CollectContext = { fs, live: root === '', sources: {}, commandTimeoutMs: opts.commandTimeoutMs ?? 10_000 };

  // The log is the slow source; it streams while the sysfs reads run.
  const kernelLog = collectKernelLogSource(ctx);
  const host = collectHost(ctx);
  const light = opts.detailFor !== undefined;
  const pci = collectPci(ctx, loadPciNames(ctx), light);
  const modaliases = light ? null : pci.map((d) => d.modalias).filter((m): m is string => m !== null);
  const snapshot: Snapshot = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'vfio-doctor', version: VERSION },
    collectedAt: (opts.now ?? new Date()).toISOString(),
    origin: root === '' ? { kind: 'live' } : { kind: 'root', root },
    privileged: root === '' ? process.geteuid?.() === 0 : null,
    sources: ctx.sources,
    host,
    kernelConfig: collectKernelConfig(ctx, host.kernelRelease),
    firmware: collectFirmware(ctx),
    iommu: collectIommu(ctx, pci),
    kernelLog: null,
    pci,
    modules: collectModules(ctx, host.kernelRelease, modaliases),
    devnodes: collectDevNodes(ctx),
    iomem: collectIomem(ctx),
    interrupts: collectInterrupts(ctx),
    boot: collectBoot(ctx),
    hostCritical: collectHostCritical(ctx),
    initramfs: null,
    toolMessages: [],
  };
  const readImage = opts.readInitramfs ?? true;
  // Read beside the log's stream when it is wanted anyway; otherwise decided last, once everything it
  // depends on (the VMs name targets) is there.
  const image = readImage === true ? collectInitramfs(ctx, host.kernelRelease, host.installedKernels) : null;
  snapshot.kernelLog = await kernelLog;
  await collectHypervisor(ctx, snapshot);
  if (opts.detailFor) {
    const byAddress = new Map(pci.map((d) => [d.address, d]));
    const detailed = new Set<string>();
    for (const a of opts.detailFor(snapshot)) {
      const d = byAddress.get(a);
      if (!d || detailed.has(a)) continue;
      detailed.add(a);
      readDetail(ctx, d);
    }
    const wanted = pci.filter((d) => detailed.has(d.address) && d.modalias !== null).map((d) => d.modalias!);
    snapshot.modules.aliasMatches = matchAliases(ctx, host.kernelRelease, wanted);
  }
  if (readImage === false) ctx.sources['initramfs'] = { status: 'absent', message: 'not read: the running kernel\'s image was not asked for' };
  else if (readImage === true) snapshot.initramfs = await image;
  else if (readImage(snapshot)) snapshot.initramfs = await collectInitramfs(ctx, host.kernelRelease, host.installedKernels);
  else noteInitramfsNotRead(ctx, host.kernelRelease, host.installedKernels, "no target's host driver can race vfio-pci in it (every target is bound to vfio-pci, or there is none)");
  snapshot.sources = sortedByKey(ctx.sources);
  return snapshot;
}
