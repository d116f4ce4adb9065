import { ruleTests } from './helpers.js';
import { vmConfigMismatch } from '../../src/analyze/rules/hypervisor/vm-config-mismatch.js';

ruleTests(vmConfigMismatch, [
  {
    name: 'KubeVirt asks for a VFIO cdev the kernel does not have',
    paste: 'Error: failed to generate container spec: failed to generate spec:\nlstat /dev/vfio/devices/vfio0: no such file or directory\n',
    finds: [{ cause: 'vm-config-mismatch', severity: 'fail', text: /CONFIG_VFIO_DEVICE_CDEV/ }],
  },
  { name: 'Proxmox: the configured device is gone', paste: "no PCI device found for '0000:0a:00.0'\n", finds: [{ cause: 'vm-config-mismatch', severity: 'fail', subject: '0000:0a:00.0' }] },
  { name: 'a group node missing is not a VM config mismatch', paste: 'lstat /dev/vfio/12: no such file or directory\n', finds: [] },
]);
