import { ruleTests } from './helpers.js';
import { groupNotViable } from '../../src/analyze/rules/binding/group-not-viable.js';

const QEMU = 'qemu-system-x86_64: -device vfio-pci,host=01:00.0,multifunction=on: vfio error: 0000:01:00.0: group 1 is not viable\n';

ruleTests(groupNotViable, [
  {
    name: 'the target is the only endpoint of its group: it is on a host driver',
    paste: `${QEMU}IOMMU group 1\n\t00:01.0 PCI bridge [0604]: Intel Corporation Xeon E3-1200 v3/4th Gen Core Processor PCI Express x16 Controller [8086:0c01] (rev 06)\n\t01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GK104 [GeForce GTX 760] [10de:1187] (rev a1)\n`,
    finds: [{ cause: 'host-driver-bound', severity: 'fail', subject: '0000:01:00.0', text: /not a grouping one/ }],
  },
  {
    name: 'a sibling function on snd_hda_intel',
    paste: `${QEMU}IOMMU Group 1 01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [10de:1e87] (rev a1)\n\tKernel driver in use: vfio-pci\nIOMMU Group 1 01:00.1 Audio device [0403]: NVIDIA Corporation TU104 HD Audio Controller [10de:10f8] (rev a1)\n\tKernel driver in use: snd_hda_intel\n`,
    finds: [{ cause: 'companion-not-bound', severity: 'fail', subject: '0000:01:00.1' }],
  },
  {
    name: 'no device, placeholder group, the only group listed holds one device\'s functions',
    paste: 'vfio group X is not viable, please ensure all devices within the iommu group are bound to their vfio bus driver\n$ ls /sys/kernel/iommu_groups/6/devices/\n0000:86:00.0  0000:86:00.1\n',
    finds: [{ cause: 'companion-not-bound', severity: 'fail', subject: null }],
  },
  {
    name: 'members of other devices are group-shared\'s to report',
    paste: `${QEMU}IOMMU Group 1 01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [10de:1e87] (rev a1)\n\tKernel driver in use: vfio-pci\nIOMMU Group 1 02:00.0 USB controller [0c03]: ASMedia Technology Inc. ASM1142 USB 3.1 Host Controller [1b21:1242]\n\tKernel driver in use: xhci_hcd\n`,
    finds: [],
  },
  { name: 'members not shown: the listing is asked for', paste: 'EAL: 0000:44:00.3 VFIO group is not viable! Not all devices in IOMMU group bound to VFIO or unbound\n', finds: [], cannot: /members are not in the pasted input/ },
]);
