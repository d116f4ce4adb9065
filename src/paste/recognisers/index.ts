// Every recogniser, in the order they are asked about a line. Formats with a distinctive first line and
// several lines of body come first; the kernel log, which accepts bare kernel-style messages, comes after
// the tools whose messages it could otherwise mistake for its own.
import type { Recogniser } from '../types.js';
import { iommuGroups } from './iommu-groups.js';
import { virtHostValidate } from './virt-host-validate.js';
import { shellTrace } from './shell-trace.js';
import { pythonTraceback } from './python-traceback.js';
import { dmidecode } from './dmidecode.js';
import { pveversionVerbose } from './pveversion.js';
import { iommuSysfs } from './iommu-sysfs.js';
import { bootListing } from './boot-listing.js';
import { lspciTree } from './lspci-tree.js';
import { lspci } from './lspci.js';
import { dpdkDevbind } from './dpdk-devbind.js';
import { libvirtXml } from './libvirt-xml.js';
import { proxmoxConfig } from './proxmox-config.js';
import { qemuCommandLine } from './qemu-command-line.js';
import { kernelConfig } from './kernel-config.js';
import { modprobeConf } from './modprobe-conf.js';
import { moduleLists } from './module-lists.js';
import { bootloader } from './bootloader.js';
import { cmdline } from './cmdline.js';
import { uname } from './uname.js';
import { osRelease } from './os-release.js';
import { cpuinfo } from './cpuinfo.js';
import { iomem } from './iomem.js';
import { interrupts } from './interrupts.js';
import { devVfio } from './dev-vfio.js';
import { virshNodedev } from './virsh-nodedev.js';
import { mokutil } from './mokutil.js';
import { lockdown } from './lockdown.js';
import { ulimit } from './ulimit.js';
import { sysfsAttr } from './sysfs-attr.js';
import { initramfsListing } from './initramfs-listing.js';
import { lsmod } from './lsmod.js';
import { structuredLog } from './structured-log.js';
import { qemu } from './qemu.js';
import { libvirt } from './libvirt.js';
import { proxmox } from './proxmox.js';
import { kubevirt } from './kubevirt.js';
import { dpdk } from './dpdk.js';
import { cloudHypervisor } from './cloud-hypervisor.js';
import { dracut } from './dracut.js';
import { mkinitcpio } from './mkinitcpio.js';
import { updateInitramfs } from './update-initramfs.js';
import { modprobe } from './modprobe.js';
import { dkms } from './dkms.js';
import { moduleSigning } from './module-signing.js';
import { packageHistory } from './package-history.js';
import { shellErrors } from './shell-errors.js';
import { kernelLog } from './kernel-log.js';
import { catalogueMessage, wrappedMessage } from './catalogue.js';

export const RECOGNISERS: Recogniser[] = [
  wrappedMessage,
  virtHostValidate,
  shellTrace,
  pythonTraceback,
  dmidecode,
  pveversionVerbose,
  iommuGroups,
  iommuSysfs,
  bootListing,
  lspciTree,
  lspci,
  dpdkDevbind,
  libvirtXml,
  proxmoxConfig,
  qemuCommandLine,
  kernelConfig,
  modprobeConf,
  moduleLists,
  bootloader,
  cmdline,
  uname,
  osRelease,
  cpuinfo,
  iomem,
  interrupts,
  devVfio,
  virshNodedev,
  mokutil,
  lockdown,
  ulimit,
  sysfsAttr,
  initramfsListing,
  lsmod,
  structuredLog,
  qemu,
  libvirt,
  proxmox,
  kubevirt,
  dpdk,
  cloudHypervisor,
  dracut,
  mkinitcpio,
  updateInitramfs,
  modprobe,
  dkms,
  moduleSigning,
  packageHistory,
  shellErrors,
  kernelLog,
  catalogueMessage,
];
