import type { HostCriticalDevices } from '../../snapshot/types.js';
import { note, type CollectContext } from '../context.js';
import { isFullFunctionAddress } from '../../pci/address.js';

// The PCI function behind a block device or a network interface is the last PCI address in the
// real sysfs path of its class entry. Stacked devices (dm, md, bridges, bonds, VLANs) are followed
// down to the physical ones.

function pciOfSysPath(ctx: CollectContext, classPath: string): string | null {
  const real = ctx.fs.realPath(classPath);
  if (!real.ok) return null;
  const addrs = real.value.split('/').filter(isFullFunctionAddress);
  return addrs.at(-1) ?? null;
}

function blockDevices(ctx: CollectContext, name: string, seen = new Set<string>()): string[] {
  if (seen.has(name) || seen.size > 64) return [];
  seen.add(name);
  const base = `/sys/class/block/${name}`;
  const slaves = ctx.fs.list(`${base}/slaves`);
  // A partition has no slaves of its own; its parent disk's directory holds the device link.
  if (slaves.length > 0) return [...new Set(slaves.flatMap((s) => blockDevices(ctx, s, seen)))];
  const pci = pciOfSysPath(ctx, base);
  return pci ? [pci] : [];
}

function netDevices(ctx: CollectContext, iface: string, seen = new Set<string>()): string[] {
  if (seen.has(iface) || seen.size > 64) return [];
  seen.add(iface);
  const base = `/sys/class/net/${iface}`;
  const lowers = [
    ...ctx.fs.list(`${base}/brif`),
    ...ctx.fs.list(base).filter((n) => n.startsWith('lower_')).map((n) => n.slice('lower_'.length)),
  ];
  if (lowers.length > 0) return [...new Set(lowers.flatMap((l) => netDevices(ctx, l, seen)))];
  const pci = pciOfSysPath(ctx, base);
  return pci ? [pci] : [];
}

function collectRootFs(ctx: CollectContext): HostCriticalDevices['rootFilesystem'] {
  const r = ctx.fs.readText('/proc/self/mounts');
  const mounts = r.ok ? r : ctx.fs.readText('/proc/mounts');
  note(ctx, 'proc/mounts', mounts.record);
  if (!mounts.ok) return null;
  let root: { source: string; fsType: string } | null = null;
  for (const line of mounts.value.split('\n')) {
    const f = line.split(' ');
    if (f[1] === '/' && f[0] !== 'rootfs') root = { source: f[0]!, fsType: f[2] ?? '' };
  }
  if (!root) return null;
  let devices: string[] = [];
  const m = /^\/dev\/(?:mapper\/)?(.+)$/.exec(root.source);
  if (m) {
    let name = m[1]!;
    // /dev/mapper/vg-root is a dm-N device: find it by its dm/name attribute.
    if (root.source.startsWith('/dev/mapper/')) {
      name = ctx.fs.list('/sys/class/block').find((b) => ctx.fs.readAttr(`/sys/class/block/${b}/dm/name`) === m[1]) ?? name;
    }
    devices = blockDevices(ctx, name);
  }
  return { source: root.source, fsType: root.fsType, devices };
}

function collectDefaultRoute(ctx: CollectContext): HostCriticalDevices['defaultRoute'] {
  const r = ctx.fs.readText('/proc/net/route');
  note(ctx, 'proc/net/route', r.record);
  if (!r.ok) return null;
  for (const line of r.value.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 2 && f[1] === '00000000' && f[7] === '00000000') {
      return { interface: f[0]!, devices: netDevices(ctx, f[0]!) };
    }
  }
  return null;
}

export function collectHostCritical(ctx: CollectContext): HostCriticalDevices {
  return { rootFilesystem: collectRootFs(ctx), defaultRoute: collectDefaultRoute(ctx) };
}
