import type { Rule } from '../rule.js';
import { layerIndex } from '../layers.js';
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
import { iommuUnavailableReported } from './firmware/iommu-unavailable-reported.js';
import { rmrrFirmwareBug } from './firmware/rmrr-firmware-bug.js';
import { moduleNotFound } from './modules/module-not-found.js';
import { vfioBuiltinConfig } from './modules/vfio-builtin-config.js';
import { moduleSignatureRejected } from './modules/module-signature-rejected.js';
import { groupNotViable } from './binding/group-not-viable.js';
import { driverNotShown } from './binding/driver-not-shown.js';
import { resetFailed } from './device/reset-failed.js';
import { powerStateReported } from './device/power-state-reported.js';
import { dmaFault } from './device/dma-fault.js';
import { memlockLimit } from './hypervisor/memlock-limit.js';
import { vmConfigMismatch } from './hypervisor/vm-config-mismatch.js';
import { vmHostdevAddress } from './hypervisor/vm-hostdev-address.js';
import { vmPveMapping } from './hypervisor/vm-pve-mapping.js';
import { vmCompanions } from './hypervisor/vm-companions.js';
import { vmRomfile } from './hypervisor/vm-romfile.js';
import { vmSharedGroup } from './hypervisor/vm-shared-group.js';
import { vmMemlock } from './hypervisor/vm-memlock.js';
import { vmVfioAccess } from './hypervisor/vm-vfio-access.js';
import { vmPrimaryGpu } from './hypervisor/vm-primary-gpu.js';
import { MESSAGE_RULES } from './messages/catalogue-messages.js';
import { CLAIM_RULES } from './messages/checker-claims.js';

/** The dedicated rules, in the order of the chain; within a layer, the more fundamental check first. */
const DEDICATED: Rule[] = [
  iommuUnavailableReported,
  noIommuTable,
  virtualizationExtensions,
  rmrr,
  rmrrFirmwareBug,
  iommuCmdline,
  iommuInactive,
  iommuArgsInvalid,
  irqRemapping,
  kernelNotRebooted,
  passthroughDefault,
  vfioModules,
  moduleNotFound,
  moduleRenamed,
  vfioBuiltinOptions,
  vfioBuiltinConfig,
  initramfsVfio,
  moduleSignatureRejected,
  hostDriverBound,
  companionNotBound,
  groupNotViable,
  driverNotShown,
  vfioIds,
  groupShared,
  acsOverride,
  barConflict,
  resetSupport,
  resetFailed,
  stuckInD3,
  powerStateReported,
  dmaFault,
  vmPrimaryGpu,
  vfioNodes,
  vmVfioAccess,
  memlockLimit,
  vmMemlock,
  vmConfigMismatch,
  vmHostdevAddress,
  vmPveMapping,
  vmCompanions,
  vmRomfile,
  vmSharedGroup,
  kvmDevice,
];

/** Every rule, in the order of the chain; each layer's message rule last, since a line a dedicated rule judged is theirs (dropJudgedElsewhere). */
export const RULES: Rule[] = [...DEDICATED, ...MESSAGE_RULES, ...CLAIM_RULES].sort((a, b) => layerIndex(a.meta.layer) - layerIndex(b.meta.layer));
