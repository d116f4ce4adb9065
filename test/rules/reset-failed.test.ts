import { ruleTests } from './helpers.js';
import { resetFailed } from '../../src/analyze/rules/device/reset-failed.js';

ruleTests(resetFailed, [
  {
    name: 'device_specific refused: vendor-reset not in effect (kernel 5.15 reset_method)',
    paste: "pci-stub 0000:0f:00.0: Unsupported reset method 'device_specific'\n[  689.396614] vfio-pci 0000:0f:00.0: Unsupported reset method 'device_specific'\n[  715.200579] vfio-pci 0000:0f:00.0: Unsupported reset method 'flr'\n",
    finds: [{ cause: 'reset-unsupported', severity: 'fail', subject: '0000:0f:00.0', text: /vendor_reset first/ }],
  },
  { name: 'FLR timed out', paste: '[  120.5] vfio-pci 0000:01:00.0: not ready 65535ms after FLR; giving up\n', finds: [{ cause: 'reset-failed', severity: 'fail', subject: '0000:01:00.0' }] },
  { name: 'vendor-reset reports a failure', paste: '[  539.69] vfio-pci 0000:01:00.0: AMD_POLARIS10: reset result = -110\n', finds: [{ cause: 'reset-failed', severity: 'fail' }] },
  { name: 'QEMU finds no reset mechanism', paste: 'vfio: Cannot reset device 0000:03:00.0, no available reset mechanism.\n', finds: [{ cause: 'reset-unsupported', severity: 'fail', subject: '0000:03:00.0' }] },
  { name: 'a successful vendor reset', paste: '[  539.69] vfio-pci 0000:01:00.0: AMD_POLARIS10: reset result = 0\n', finds: [] },
]);
