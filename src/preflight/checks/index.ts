// Preflight checks in chain order (kernel, then modules, then binding), so the first failure printed is
// the one to fix first.

import type { PreflightCheck } from '../types.js';
import { kernelConfig } from './kernel-config.js';
import { iommuCmdline } from './iommu-cmdline.js';
import { vfioModules } from './vfio-modules.js';
import { virqfdRenamed } from './virqfd-renamed.js';
import { builtinIds } from './builtin-ids.js';
import { initramfsRace } from './initramfs-race.js';
import { outOfTree } from './out-of-tree.js';
import { kbJump } from './kb-jump.js';

export const PREFLIGHT_CHECKS: PreflightCheck[] = [kernelConfig, iommuCmdline, vfioModules, virqfdRenamed, builtinIds, initramfsRace, outOfTree, kbJump];
