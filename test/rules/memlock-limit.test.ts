import { ruleTests } from './helpers.js';
import { memlockLimit } from '../../src/analyze/rules/hypervisor/memlock-limit.js';

ruleTests(memlockLimit, [
  { name: 'the kernel says RLIMIT_MEMLOCK was exceeded', paste: '[  365.159219] vfio_pin_pages_remote: RLIMIT_MEMLOCK (4194304) exceeded\n', finds: [{ cause: 'memlock-limit', severity: 'fail', text: /limit 4 MiB/ }] },
  {
    name: 'QEMU cannot map guest RAM (ENOMEM), with the VM size and the shell limit',
    paste: "$ ulimit -l\n8192\nqemu-system-x86_64: -device vfio-pci,host=0000:01:00.0: VFIO_MAP_DMA failed: Cannot allocate memory\nqemu-system-x86_64: -device vfio-pci,host=0000:01:00.0: vfio 0000:01:00.0: failed to setup container for group 1: memory listener initialization failed: Region pc.ram: vfio_dma_map(0x55d1c8a6a0e0, 0x0, 0x80000000, 0x7f4b7fe00000) = -12 (Cannot allocate memory)\n<domain type='kvm'>\n  <name>win10</name>\n  <memory unit='KiB'>16777216</memory>\n</domain>\n",
    finds: [{ cause: 'memlock-limit', severity: 'fail', text: /16\.0 GiB/ }],
  },
  { name: 'a small ulimit alone is not a failure (libvirt raises it for hostdevs)', paste: '$ ulimit -l\n8192\n', finds: [] },
]);
