// cloud-hypervisor's errors: Rust error chains naming the VFIO step that failed.
import { toolRecogniser, type ToolPatterns } from '../tool-line.js';

export const CLOUD_HYPERVISOR_LINES: ToolPatterns = {
  tool: 'cloud-hypervisor',
  lines: [/^cloud-hypervisor(?:\[\d+\])?: /, /\bVfio\w*\(/, /\bError booting VM\b/, /\bVmBoot\(|\bDeviceManager\(/, /\bvfio_ioctls\b/],
};

export const cloudHypervisor = toolRecogniser('cloud-hypervisor', 'cloud-hypervisor errors', /^cloud-hypervisor\b|^ch-remote\b/, CLOUD_HYPERVISOR_LINES);
