// Preflight checks in chain order (kernel, then modules, then binding), so the first failure printed is
// the one to fix first.

import type { PreflightCheck } from '../types.js';
import { checkKernelConfig } from './kernel-config.js';
import { checkIommuCmdline } from './iommu-cmdline.js';
import { checkVfioModules } from './vfio-modules.js';
import { checkVirqfdRenamed } from './virqfd-renamed.js';
import { checkBuiltinIds } from './builtin-ids.js';
import { checkInitramfsRace } from './initramfs-race.js';
import { checkOutOfTree } from './out-of-tree.js';
import { checkKbJump } from './kb-jump.js';

export const PREFLIGHT_CHECKS: PreflightCheck[] = [
  checkKernelConfig,
  checkIommuCmdline,
  checkVfioModules,
  checkVirqfdRenamed,
  checkBuiltinIds,
  checkInitramfsRace,
  checkOutOfTree,
  (input) => checkKbJump(input),
];
