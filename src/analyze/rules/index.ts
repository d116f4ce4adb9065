import type { Rule } from '../rule.js';
import { noIommuTable } from './firmware/no-iommu-table.js';
import { virtualizationExtensions } from './firmware/virtualization-extensions.js';
import { iommuCmdline } from './kernel/iommu-cmdline.js';
import { iommuInactive } from './kernel/iommu-inactive.js';
import { iommuArgsInvalid } from './kernel/iommu-args-invalid.js';
import { irqRemapping } from './kernel/irq-remapping.js';
import { kernelNotRebooted } from './kernel/kernel-not-rebooted.js';
import { passthroughDefault } from './kernel/passthrough-default.js';
import { vfioModules } from './modules/vfio-modules.js';
import { moduleRenamed } from './modules/module-renamed.js';
import { vfioBuiltinOptions } from './modules/vfio-builtin-options.js';
import { initramfsVfio } from './modules/initramfs-vfio.js';
import { hostDriverBound } from './binding/host-driver-bound.js';
import { companionNotBound } from './binding/companion-not-bound.js';
import { vfioIds } from './binding/vfio-ids.js';
import { groupShared } from './isolation/group-shared.js';
import { acsOverride } from './isolation/acs-override.js';
import { rmrr } from './firmware/rmrr.js';
import { resetSupport } from './device/reset.js';
import { barConflict } from './device/bar-conflict.js';
import { stuckInD3 } from './device/stuck-in-d3.js';
import { vfioNodes } from './hypervisor/vfio-nodes.js';
import { kvmDevice } from './hypervisor/kvm.js';

/** Every rule, in the order of the chain; within a layer, the more fundamental check first. */
export const RULES: Rule[] = [
  noIommuTable,
  virtualizationExtensions,
  rmrr,
  iommuCmdline,
  iommuInactive,
  iommuArgsInvalid,
  irqRemapping,
  kernelNotRebooted,
  passthroughDefault,
  vfioModules,
  moduleRenamed,
  vfioBuiltinOptions,
  initramfsVfio,
  hostDriverBound,
  companionNotBound,
  vfioIds,
  groupShared,
  acsOverride,
  barConflict,
  resetSupport,
  stuckInD3,
  vfioNodes,
  kvmDevice,
];
