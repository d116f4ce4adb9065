import { ruleTests } from './helpers.js';
import { iommuUnavailableReported } from '../../src/analyze/rules/firmware/iommu-unavailable-reported.js';

ruleTests(iommuUnavailableReported, [
  {
    name: 'libvirt says VFIO is unsupported and nothing shows whether groups exist',
    paste: 'error: Failed to detach device pci_0000_01_00_0\nerror: argument unsupported: VFIO device assigment is currently not supported on this system\n',
    finds: [],
    cannot: /no IOMMU groups or no \/dev\/vfio\/vfio.*DMAR/,
  },
  {
    name: 'Proxmox says the IOMMU is not present',
    paste: 'TASK ERROR: cannot prepare PCI pass-through, IOMMU not present\n',
    finds: [],
    cannot: /Proxmox says there is no IOMMU/,
  },
  {
    name: 'groups are listed: the message is not the question any more',
    paste: 'error: argument unsupported: VFIO device assignment is currently not supported on this system\nIOMMU Group 1 01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [GeForce RTX 2080] [10de:1e87] (rev a1)\n',
    finds: [],
  },
  { name: 'no such message', paste: '[    0.151960] DMAR: IOMMU enabled\n', finds: [] },
]);
