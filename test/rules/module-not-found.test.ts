import { ruleTests } from './helpers.js';
import { moduleNotFound } from '../../src/analyze/rules/modules/module-not-found.js';

ruleTests(moduleNotFound, [
  {
    name: 'dracut fails on vfio_virqfd for 6.6: the initramfs is not built',
    paste: "sudo dracut -f --kver `uname -r`\ndracut-install: Failed to find module 'vfio_virqfd'\ndracut: FAILED:  /usr/lib/dracut/dracut-install -D /var/tmp/dracut.qYNhve/initramfs --kerneldir /lib/modules/6.6.9-200.fc39.x86_64/ -m vfio vfio_iommu_type1 vfio_pci vfio_virqfd\n",
    finds: [{ cause: 'module-renamed', severity: 'fail', text: /6\.6\.9-200\.fc39/ }],
  },
  { name: 'modprobe at boot, kernel not shown: harmless noise', paste: 'modprobe: FATAL: Module vfio_virqfd not found\n', finds: [{ cause: 'module-renamed', severity: 'warn', text: /merged into vfio in kernel 6\.2/ }] },
  { name: 'mkinitcpio', paste: "==> ERROR: module not found: `vfio_virqfd'\n", finds: [{ cause: 'module-renamed', severity: 'fail' }] },
  { name: 'vfio_virqfd missing on 5.15 means VFIO is missing, not renamed', paste: '$ uname -r\n5.15.0-91-generic\nmodprobe: FATAL: Module vfio_virqfd not found in directory /lib/modules/5.15.0-91-generic\n', finds: [{ cause: 'module-missing', severity: 'warn' }] },
  { name: 'vfio_pci itself missing', paste: 'modprobe: FATAL: Module vfio_pci not found in directory /lib/modules/6.8.0-48-generic\n', finds: [{ cause: 'module-missing', severity: 'fail', text: /linux-modules-extra/ }] },
  { name: 'modules unrelated to passthrough are not judged', paste: 'modprobe: FATAL: Module zfs not found in directory /lib/modules/6.8.0-48-generic\n', finds: [] },
]);
