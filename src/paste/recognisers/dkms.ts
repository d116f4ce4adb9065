// DKMS: build failures of out-of-tree modules (vendor-reset, NVIDIA) after a kernel update, its signing
// lines, and "dkms status" ("vendor-reset/0.1.1, 6.8.0-48-generic, x86_64: installed").
import { toolRecogniser, type ToolPatterns } from '../tool-line.js';

export const DKMS_LINES: ToolPatterns = {
  tool: 'dkms',
  lines: [
    /^Error! /,
    /^dkms(?:\[\d+\])?[: ]/,
    /^Building module(?:\(s\))?\b/,
    /^Consult \/var\/lib\/dkms\//,
    /^[\w.+-]+\/[\w.~+-]+, [\w.+~-]+, [\w-]+: (?:installed|built|added)/,
    /^[\w.+-]+, [\w.~+-]+, [\w.+~-]+, [\w-]+: (?:installed|built|added)/,
    /^(?:Sign command|Signing key|Public certificate \(MOK\)): /,
    /^Signing module /,
    /^Autoinstall (?:of|on) /,
  ],
};

export const dkms = toolRecogniser('dkms', 'DKMS build and status output', /^dkms\b/, DKMS_LINES);
