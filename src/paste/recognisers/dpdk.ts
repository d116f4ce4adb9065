// DPDK's EAL and driver log lines ("EAL: 0000:44:00.3 VFIO group is not viable! ...").
import { toolRecogniser, type ToolPatterns } from '../tool-line.js';

export const DPDK_LINES: ToolPatterns = {
  tool: 'dpdk',
  lines: [/^EAL: /, /^(?:ETHDEV|PMD|USER1|IAVF|I40E_DRIVER|MLX5_[A-Z]+|TELEMETRY|VHOST_CONFIG): /, /\brte_(?:dev_probe|eal_init)\b/],
};

export const dpdk = toolRecogniser('dpdk', 'DPDK EAL errors', /^(?:dpdk-testpmd|testpmd|\.\/build\/)/, DPDK_LINES);
