import { ruleTests } from './helpers.js';
import { dmaFault } from '../../src/analyze/rules/device/dma-fault.js';

ruleTests(dmaFault, [
  { name: 'an abbreviated DMAR fault without a device', paste: 'DMAR: [DMA Read] ... PTE Read access is not set\n', finds: [{ cause: 'dma-fault', severity: 'fail', subject: null, text: /PTE Read access is not set/ }] },
  {
    name: 'Intel fault for the target (5.15+ format, no segment in the record)',
    paste: '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [10de:1e87] (rev a1)\n\tKernel driver in use: vfio-pci\n[ 300.1] DMAR: DRHD: handling fault status reg 2\n[ 300.1] DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x7f3c0000 [fault reason 0x06] PTE Read access is not set\n',
    finds: [{ cause: 'dma-fault', severity: 'fail', subject: '0000:01:00.0' }],
  },
  {
    name: 'AMD-Vi page fault of a host device while a GPU is passed through',
    paste: '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [10de:1e87] (rev a1)\n\tKernel driver in use: vfio-pci\n[ 300.1] nvme 0000:05:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000d address=0xfd7b4000 flags=0x0020]\n',
    finds: [{ cause: 'dma-fault', severity: 'warn', subject: '0000:05:00.0' }],
  },
  { name: 'no faults', paste: '[ 0.3] DMAR: Intel(R) Virtualization Technology for Directed I/O\n', finds: [] },
]);
