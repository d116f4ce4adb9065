// mkinitcpio (Arch): "==> ERROR: module not found: `vfio_virqfd'" and its build steps.
import { toolRecogniser, type ToolPatterns } from '../tool-line.js';

export const MKINITCPIO_LINES: ToolPatterns = {
  tool: 'mkinitcpio',
  lines: [
    /^==> (?:ERROR|WARNING|Building image|Starting build|Generating|Image generation|Creating|Running build hook|Using (?:default|configuration)|Starting)/,
    /^-> (?:Running build hook|Early uncompressed|Creating|Running|Building)/,
    /^mkinitcpio(?:\[\d+\])?: /,
  ],
};

export const mkinitcpio = toolRecogniser('mkinitcpio', 'mkinitcpio output', /^mkinitcpio\b/, MKINITCPIO_LINES);
