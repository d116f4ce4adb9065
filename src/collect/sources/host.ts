import os from 'node:os';
import type { DmiInfo, HostInfo, InstalledKernel } from '../../snapshot/types.js';
import { parseCmdline } from '../../parse/cmdline.js';
import { parseOsRelease } from '../../parse/os-release.js';
import { parseCpuinfo } from '../../parse/cpuinfo.js';
import { note, type CollectContext } from '../context.js';
import { compareByteOrder } from '../../text/byte-order.js';

function text(ctx: CollectContext, id: string, hostPath: string): string | null {
  const r = ctx.fs.readText(hostPath);
  note(ctx, id, r.record);
  return r.ok ? r.value : null;
}

function firstText(ctx: CollectContext, id: string, paths: string[]): string | null {
  for (const p of paths) {
    const r = ctx.fs.readText(p);
    if (r.ok) {
      note(ctx, id, r.record);
      return r.value;
    }
    if (r.record.status !== 'absent') {
      note(ctx, id, r.record);
      return null;
    }
  }
  note(ctx, id, { status: 'absent', path: paths.join(' | '), message: 'not present' });
  return null;
}

function collectDmi(ctx: CollectContext): DmiInfo | null {
  const base = '/sys/class/dmi/id';
  const listing = ctx.fs.readDir(base);
  note(ctx, 'sys/class/dmi/id', listing.record);
  if (!listing.ok) return null;
  const attr = (n: string) => ctx.fs.readAttr(`${base}/${n}`) || null;
  return {
    sysVendor: attr('sys_vendor'),
    productName: attr('product_name'),
    boardVendor: attr('board_vendor'),
    boardName: attr('board_name'),
    biosVendor: attr('bios_vendor'),
    biosVersion: attr('bios_version'),
    biosDate: attr('bios_date'),
  };
}

const VERSION_FROM_NAME: [RegExp, keyof InstalledKernel][] = [
  [/^vmlinuz-(.+)$/, 'vmlinuz'],
  [/^initrd\.img-(.+)$/, 'initramfs'],
  [/^initramfs-(.+)\.img$/, 'initramfs'],
  [/^initrd-(.+)$/, 'initramfs'],
  [/^config-(.+)$/, 'config'],
];

/** Kernels installed on disk: an update installed but not booted shows up as a newer entry here. */
export function collectInstalledKernels(ctx: CollectContext): InstalledKernel[] {
  const byVersion = new Map<string, InstalledKernel>();
  const get = (v: string): InstalledKernel => {
    let k = byVersion.get(v);
    if (!k) {
      k = { version: v, modulesDir: false, vmlinuz: null, initramfs: null, config: null };
      byVersion.set(v, k);
    }
    return k;
  };
  for (const dir of ['/lib/modules', '/usr/lib/modules']) {
    for (const v of ctx.fs.list(dir)) {
      if (!ctx.fs.isDir(`${dir}/${v}`) || !ctx.fs.exists(`${dir}/${v}/modules.dep`) && !ctx.fs.exists(`${dir}/${v}/kernel`)) continue;
      const k = get(v);
      k.modulesDir = true;
      // Fedora and Arch keep the image inside the modules directory.
      if (!k.vmlinuz && ctx.fs.exists(`${dir}/${v}/vmlinuz`)) k.vmlinuz = `${dir}/${v}/vmlinuz`;
    }
  }
  const boot = ctx.fs.readDir('/boot');
  note(ctx, 'boot-dir', boot.record);
  for (const name of boot.ok ? boot.value : []) {
    for (const [re, field] of VERSION_FROM_NAME) {
      const m = re.exec(name);
      if (!m || m[1]!.endsWith('.old') || m[1] === 'rescue') continue;
      const k = get(m[1]!.replace(/\.(img|gz)$/, ''));
      if (field === 'vmlinuz' || field === 'initramfs' || field === 'config') {
        if (k[field] === null) k[field] = `/boot/${name}`;
      }
    }
  }
  return [...byVersion.values()].sort((a, b) => compareKernelVersions(a.version, b.version));
}

/** Orders kernel release strings numerically field by field ("6.1.0-9" < "6.1.0-10" < "6.12.0"). */
export function compareKernelVersions(a: string, b: string): number {
  const pa = a.split(/[^0-9]+/).filter(Boolean).map(Number);
  const pb = b.split(/[^0-9]+/).filter(Boolean).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return compareByteOrder(a, b);
}

export function collectHost(ctx: CollectContext): HostInfo {
  const release = text(ctx, 'proc/sys/kernel/osrelease', '/proc/sys/kernel/osrelease')?.trim() || null;
  const version = ctx.fs.readAttr('/proc/version');
  const cmdlineText = text(ctx, 'proc/cmdline', '/proc/cmdline');
  const osText = firstText(ctx, 'os-release', ['/etc/os-release', '/usr/lib/os-release']);
  // Proxmox VE reports ID=debian; its own tools mark it.
  const proxmox = ctx.fs.exists('/etc/pve') || ctx.fs.exists('/usr/bin/pveversion') || ctx.fs.exists('/etc/kernel/proxmox-boot-uuids');
  const cpuText = text(ctx, 'proc/cpuinfo', '/proc/cpuinfo');
  const cpu = cpuText === null ? null : parseCpuinfo(cpuText);
  const dmi = collectDmi(ctx);
  const vmProducts = /kvm|qemu|vmware|virtualbox|hyper-v|virtual machine|bochs|xen|cloud hypervisor|amazon ec2|google compute/i;
  let virtualMachine: boolean | null = null;
  if (cpu) virtualMachine = cpu.hypervisor;
  if (dmi && vmProducts.test(`${dmi.sysVendor ?? ''} ${dmi.productName ?? ''}`)) virtualMachine = true;
  return {
    hostname: ctx.fs.readAttr('/proc/sys/kernel/hostname'),
    kernelRelease: release,
    kernelVersion: version,
    architecture: ctx.live ? os.machine() : null,
    bootId: ctx.fs.readAttr('/proc/sys/kernel/random/boot_id'),
    cmdline: cmdlineText === null ? null : parseCmdline(cmdlineText),
    osRelease: osText === null ? null : parseOsRelease(osText, { proxmox }),
    cpu,
    dmi,
    installedKernels: collectInstalledKernels(ctx),
    virtualMachine,
  };
}
