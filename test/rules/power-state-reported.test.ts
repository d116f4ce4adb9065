import { ruleTests } from './helpers.js';
import { powerStateReported } from '../../src/analyze/rules/device/power-state-reported.js';

ruleTests(powerStateReported, [
  { name: 'QEMU: stuck in D3', paste: 'vfio: Unable to power on device, stuck in D3\n', finds: [{ cause: 'stuck-in-d3', severity: 'fail', subject: null, text: /disable_idle_d3=1/ }] },
  {
    name: 'the kernel names a device that is not a target',
    paste: '[ 300.1] vfio-pci 0000:03:00.0: Unable to change power state from D3cold to D0, device inaccessible\n',
    devices: ['0000:01:00.0'],
    finds: [{ cause: 'stuck-in-d3', severity: 'fail', subject: '0000:03:00.0' }],
  },
  {
    name: 'a target\'s kernel line is stuck-in-d3\'s to judge',
    paste: '[ 300.1] vfio-pci 0000:03:00.0: Unable to change power state from D3cold to D0, device inaccessible\n',
    devices: ['0000:03:00.0'],
    finds: [],
  },
  { name: 'nothing about power states', paste: '[ 3.1] vfio-pci 0000:03:00.0: enabling device (0000 -> 0003)\n', finds: [] },
]);
