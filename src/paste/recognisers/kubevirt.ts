// KubeVirt (and the container runtime starting its virt-launcher pod): device-plugin allocations that
// point at VFIO nodes, spec generation failures, launcher errors. Harvester and DRA drivers say the same.
import { toolRecogniser, type ToolPatterns } from '../tool-line.js';

export const KUBEVIRT_LINES: ToolPatterns = {
  tool: 'kubevirt',
  lines: [
    /\bvirt-(?:launcher|handler|controller|api)\b/,
    /failed to generate (?:container )?spec/i,
    /^lstat \/dev\/vfio\//,
    /^(?:stat|open) \/dev\/vfio\/\S*: no such file or directory/i,
    /server error\. command SyncVMI failed/,
    /\bvfio group \S+ is not viable/i,
    /\bkubevirt\b/i,
  ],
};

export const kubevirt = toolRecogniser('kubevirt', 'KubeVirt / container runtime errors about VFIO devices', /^(?:kubectl|crictl|virtctl)\b/, KUBEVIRT_LINES);
