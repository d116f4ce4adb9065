// Module signing and Secure Boot trouble outside DKMS: sign-file and OpenSSL errors, certificates in
// the wrong format, a shim refusing an unsigned kernel.
import { toolRecogniser, type ToolPatterns } from '../tool-line.js';

export const MODULE_SIGNING_LINES: ToolPatterns = {
  tool: 'other',
  lines: [
    /not a valid x509 certificate/i,
    /^sign-file: /,
    /^At main\.c:\d+:/,
    /\bSSL error:/,
    /^error: bad shim signature/i,
    /\b(?:Key was rejected by service|Required key not available)\b/,
  ],
};

export const moduleSigning = toolRecogniser('module-signing', 'module signing and Secure Boot errors', /\bsign-file\b|kmodsign/, MODULE_SIGNING_LINES);
