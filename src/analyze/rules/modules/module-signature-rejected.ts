import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { eventsOf, toolLines } from '../evidence-events.js';

// Secure Boot and lockdown refuse modules (and shim refuses kernels) not signed by a trusted key. Out-of-
// tree modules a setup depends on (vendor-reset, NVIDIA vGPU) then never load, and their signing often
// fails before that: a key in the wrong format, sign-file errors.
const SIGNING_FAILURE = /not a valid x509 certificate|^sign-file: |^At main\.c:\d+:|\bSSL error:|Signing key .* (?:not found|does not exist)|Failed to (?:sign|enroll)/i;
const REFUSED = /Key was rejected by service|Required key not available/;

export const moduleSignatureRejected: Rule = {
  meta: {
    id: 'module-signature-rejected',
    layer: 'modules',
    title: 'Module or kernel refused for its signature',
    causes: ['module-signature-rejected'],
    description: 'No module or kernel was refused for its signature (Secure Boot, lockdown), and no module signing step failed.',
  },
  check(ctx, out) {
    const s = ctx.snap;
    const evidence: Evidence[] = [];
    const modules = new Set<string>();
    for (const e of eventsOf(s, ['module-rejected', 'module-signature-untrusted', 'module-key-rejected', 'module-insert-failed', 'boot-signature-rejected', 'lockdown-denied'])) {
      if (e.event.kind === 'module-insert-failed' && !REFUSED.test(String(e.event.fields['reason'] ?? ''))) continue;
      if (e.event.kind === 'lockdown-denied' && !/module/.test(String(e.event.fields['what'] ?? ''))) continue;
      if (typeof e.event.fields['module'] === 'string') modules.add(e.event.fields['module']);
      evidence.push(e.evidence);
    }
    const refusedByTool = toolLines(s, REFUSED, ['modprobe', 'dkms', 'other']).filter((t) => !evidence.some((e) => e.source === t.evidence.source && e.line === t.evidence.line));
    for (const t of refusedByTool) {
      const m = /could not insert '([\w-]+)'|insert module '([\w-]+)'|module ([\w-]+\.ko)/.exec(t.message.text);
      if (m) modules.add(m[1] ?? m[2] ?? m[3]!);
      evidence.push(t.evidence);
    }
    for (const e of evidence) {
      const m = /could not insert '([\w-]+)'|insert module '([\w-]+)'/.exec(e.text);
      if (m) modules.add(m[1] ?? m[2]!);
    }
    const signing = toolLines(s, SIGNING_FAILURE);
    evidence.push(...signing.map((t) => t.evidence));
    if (evidence.length === 0) return;
    const sb = s.firmware.secureBoot;
    if (sb !== null) evidence.push({ source: s.sources['efivar-SecureBoot']?.path ?? 'firmware', text: `Secure Boot ${sb ? 'enabled' : 'disabled'}` });
    if (s.firmware.lockdown) evidence.push({ source: '/sys/kernel/security/lockdown', text: `lockdown ${s.firmware.lockdown}` });
    const kernelRefused = evidence.some((e) => /shim signature/.test(e.text));
    const onlySigning = signing.length > 0 && evidence.length === signing.length + (sb !== null ? 1 : 0) + (s.firmware.lockdown ? 1 : 0);
    const names = [...modules];
    out.report({
      cause: 'module-signature-rejected',
      severity: 'fail',
      title: kernelRefused
        ? 'The boot loader refused an unsigned kernel (Secure Boot)'
        : onlySigning
          ? 'Signing the out-of-tree module failed: with Secure Boot it will be refused'
          : `Secure Boot / lockdown refused ${names.length ? names.join(', ') : 'a module'}: it is not signed by a trusted key`,
      evidence: evidence.slice(0, 8),
      decision:
        (kernelRefused ? 'Install the distribution\'s signed kernel package (on Proxmox the "-signed" proxmox-kernel package) rather than an unsigned build. ' : '') +
        'With Secure Boot on, every module must be signed by a key the kernel trusts. Create a Machine Owner Key, enroll it (mokutil --import <key>.der; the certificate must be DER, not PEM: openssl x509 -in key.pem -outform DER -out key.der), reboot to confirm the enrolment in the MOK manager, and sign the module with that key (DKMS does it when its mok_signing_key is set). Turning Secure Boot off also works where policy allows it.',
      commands: ['mokutil --sb-state', 'mokutil --list-enrolled | grep -i subject', 'openssl x509 -in /path/to/module-signing.crt -outform DER -out /path/to/module-signing.der', 'mokutil --import /path/to/module-signing.der'],
    });
  },
};
