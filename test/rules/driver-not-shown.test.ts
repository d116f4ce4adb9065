import { ruleTests } from './helpers.js';
import { driverNotShown } from '../../src/analyze/rules/binding/driver-not-shown.js';

ruleTests(driverNotShown, [
  {
    name: 'hook variables and a group listing: drivers not shown',
    paste: 'VIRSH_GPU_VIDEO=pci_0000_02_00_0\nVIRSH_GPU_AUDIO=pci_0000_02_00_1\n',
    devices: ['0000:02:00.0', '0000:02:00.1'],
    finds: [],
    cannot: /which driver owns 0000:02:00\.1 .*lspci -nnk -s 0000:02:00\.1/,
  },
  {
    name: 'lspci -k shows them',
    paste: '02:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [10de:1b81] (rev a1)\n\tKernel driver in use: vfio-pci\n02:00.1 Audio device [0403]: NVIDIA Corporation GP104 HD Audio [10de:10f0] (rev a1)\n\tKernel driver in use: vfio-pci\n',
    finds: [],
  },
]);
