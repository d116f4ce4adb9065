import { ruleTests } from './helpers.js';
import { moduleSignatureRejected } from '../../src/analyze/rules/modules/module-signature-rejected.js';

ruleTests(moduleSignatureRejected, [
  {
    name: 'a signing certificate in the wrong format (Proxmox vGPU installer)',
    paste: 'Abort!!! /root/proxmox-vgpu-installer/secure-boot/module-signing.crt is not a valid x509 certificate in DER format\n',
    finds: [{ cause: 'module-signature-rejected', severity: 'fail', text: /Signing the out-of-tree module failed.*|DER/ }],
  },
  {
    name: 'modprobe refused by Secure Boot',
    paste: "$ mokutil --sb-state\nSecureBoot enabled\n$ sudo modprobe vendor-reset\nmodprobe: ERROR: could not insert 'vendor_reset': Key was rejected by service\n",
    finds: [{ cause: 'module-signature-rejected', severity: 'fail', text: /vendor_reset/ }],
  },
  {
    name: 'lockdown refuses an unsigned module in the kernel log',
    paste: '[   12.1] Lockdown: modprobe: unsigned module loading is restricted; see man kernel_lockdown.7\n[   12.1] Loading of unsigned module is rejected\n',
    finds: [{ cause: 'module-signature-rejected', severity: 'fail' }],
  },
  { name: 'shim refuses an unsigned kernel', paste: 'error: bad shim signature.\n', finds: [{ cause: 'module-signature-rejected', severity: 'fail', text: /signed kernel/ }] },
  { name: 'an unsigned module that loaded (no lockdown) is not a refusal', paste: '[   12.1] nvidia: module verification failed: signature and/or required key missing - tainting kernel\n', finds: [] },
]);
