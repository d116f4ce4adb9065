// mokutil --sb-state ("SecureBoot enabled", "SecureBoot disabled", "SecureBoot validation is disabled in
// shim", "EFI variables are not supported on this system") and mokutil's enrolment errors.
import { whereText, type Recogniser } from '../types.js';

const STATE = /^(SecureBoot (?:enabled|disabled)|SecureBoot validation is disabled in shim|Platform is in Setup Mode|EFI variables are not supported on this system|This system doesn't support Secure Boot|Failed to read "?SecureBoot"?.*)$/;
const ERROR = /^(?:mokutil: |Failed to (?:enroll|import|delete) |SKIP: .* is already enrolled|.* is already (?:enrolled|in the enrollment request))/;

export const mokutil: Recogniser = {
  id: 'mokutil',
  label: 'mokutil --sb-state and enrolment messages',
  commands: /^mokutil\b/,
  match(lines, at) {
    const l = lines[at]!;
    const t = l.text.trim();
    const s = STATE.exec(t);
    if (!s && !ERROR.test(t)) return null;
    return {
      length: 1,
      apply(facts, where) {
        facts.addTool({ tool: 'mokutil', source: l.file, line: l.n, text: t });
        if (!s) return;
        if (/enabled/.test(t)) facts.secureBoot = true;
        else if (/^SecureBoot disabled|validation is disabled/.test(t)) facts.secureBoot = false;
        else if (/not supported|doesn't support/.test(t)) {
          facts.secureBoot = false;
          facts.efi = /EFI variables are not supported/.test(t) ? false : facts.efi;
        }
        if (/Setup Mode/.test(t)) facts.setupMode = true;
        facts.note('efivar-SecureBoot', whereText(where), 'mokutil --sb-state');
      },
    };
  },
};
