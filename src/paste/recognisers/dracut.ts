// dracut (Fedora, RHEL, openSUSE): "dracut-install: Failed to find module 'vfio_virqfd'" and the
// "dracut: FAILED: ... -m vfio vfio_iommu_type1 vfio_pci vfio_virqfd" line naming what it was asked to add.
import { toolRecogniser, type ToolPatterns } from '../tool-line.js';

export const DRACUT_LINES: ToolPatterns = {
  tool: 'dracut',
  lines: [/^dracut(?:-install)?(?:\[[IWEFD]\]|\[\d+\])?: /],
};

export const dracut = toolRecogniser('dracut', 'dracut output', /^dracut\b/, DRACUT_LINES);
