import { ruleTests } from './helpers.js';
import { vmConfigMismatch } from '../../src/analyze/rules/hypervisor/vm-config-mismatch.js';

ruleTests(vmConfigMismatch, [
  {
    name: 'KubeVirt asks for a VFIO cdev the kernel does not have',
    paste: 'Error: failed to generate container spec: failed to generate spec:\nlstat /dev/vfio/devices/vfio0: no such file or directory\n',
    finds: [{ cause: 'vm-config-mismatch', severity: 'fail', text: /CONFIG_VFIO_DEVICE_CDEV/ }],
  },
  { name: 'Proxmox: the configured device is gone', paste: "no PCI device found for '0000:0a:00.0'\n", finds: [{ cause: 'vm-config-mismatch', severity: 'fail', subject: '0000:0a:00.0' }] },
  {
    name: 'a hostpci address missing from a complete lspci',
    paste: '$ qm config 100\nhostpci0: 0000:02:00,pcie=1\nmemory: 8192\nname: vm\n$ lspci -nn\n00:00.0 Host bridge [0600]: Intel Corporation 8th Gen Core Processor Host Bridge/DRAM Registers [8086:3ec2] (rev 07)\n01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [10de:1e87] (rev a1)\n',
    finds: [{ cause: 'vm-config-mismatch', severity: 'fail', subject: '0000:02:00' }],
  },
  {
    name: 'the configured device is there',
    paste: '$ qm config 100\nhostpci0: 0000:01:00,pcie=1\nmemory: 8192\nname: vm\n$ lspci -nn\n00:00.0 Host bridge [0600]: Intel Corporation 8th Gen Core Processor Host Bridge/DRAM Registers [8086:3ec2] (rev 07)\n01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [10de:1e87] (rev a1)\n',
    finds: [],
  },
  { name: 'a group node missing is not a VM config mismatch', paste: 'lstat /dev/vfio/12: no such file or directory\n', finds: [] },
]);
