// Hosts with a running kernel and a newly installed one, built from the Intel desktop fixture (GTX 1080
// and its audio function bound to vfio-pci through modprobe.d ids and softdeps).

import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildHost, type HostSpec, type InstalledKernelSpec } from '../../fixtures/host-builder.js';
import { intelDesktop } from '../../fixtures/hosts.js';
import { newcArchive, MODE_DIR, MODE_FILE, type MemberSpec } from '../../initramfs/support/newc-writer.js';

export const RUNNING = '6.8.0-45-generic';
export const GPU = '0000:01:00.0';
export const NOUVEAU_ALIAS = 'alias pci:v000010DEd*sv*sd*bc03sc*i* nouveau';

export interface TwoKernelOptions {
  next: InstalledKernelSpec;
  spec?: Partial<HostSpec>;
}

export async function twoKernelHost(opts: TwoKernelOptions): Promise<string> {
  const base = intelDesktop;
  return buildHost({
    ...base,
    ...opts.spec,
    kernel: { ...base.kernel, release: RUNNING, installed: [{ release: RUNNING }, opts.next] },
    modules: { ...base.modules, ...opts.spec?.modules, aliases: [NOUVEAU_ALIAS, ...(opts.spec?.modules?.aliases ?? [])] },
  });
}

/** A gzip initramfs with the given files (content) and module paths (placeholder data), as generators write it. */
export function imageWith(release: string, files: Record<string, string>, modules: string[]): Buffer {
  const dirs = new Set<string>();
  const paths = [...Object.keys(files), ...modules.map((m) => `usr/lib/modules/${release}/kernel/drivers/${m}.ko`)];
  for (const p of paths) for (let d = path.posix.dirname(p); d !== '.'; d = path.posix.dirname(d)) dirs.add(d);
  const members: MemberSpec[] = [...[...dirs].sort().map((name) => ({ name, mode: MODE_DIR }))];
  for (const [name, data] of Object.entries(files)) members.push({ name, mode: MODE_FILE, data });
  for (const m of modules) members.push({ name: `usr/lib/modules/${release}/kernel/drivers/${m}.ko`, mode: MODE_FILE, data: '\x7fELF' });
  return gzipSync(newcArchive(members));
}

export function writeImage(root: string, release: string, data: Buffer): string {
  const p = path.join(root, 'boot', `initrd.img-${release}`);
  fs.writeFileSync(p, data);
  return p;
}
