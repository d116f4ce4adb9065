import { ruleTests } from './helpers.js';
import { irqRemapping } from '../../src/analyze/rules/kernel/irq-remapping.js';

ruleTests(irqRemapping, [
  {
    name: 'x2apic cannot use IRQ remapping (kernel built without CONFIG_IRQ_REMAP)',
    paste: "[   28.156880] x2apic: IRQ remapping doesn't support X2APIC mode\n[   28.163281] x2apic disabled\n",
    finds: [{ cause: 'irq-remap-missing', severity: 'fail' }],
  },
  {
    name: 'vfio_iommu_type1 refuses for want of interrupt remapping',
    paste: '[  812.1] vfio_iommu_type1_attach_group: No interrupt remapping support.  Use the module param "allow_unsafe_interrupts" to enable VFIO IOMMU support on this platform\n',
    finds: [{ cause: 'irq-remap-missing', severity: 'fail' }],
  },
  { name: 'the kernel config says so', paste: '$ grep IRQ_REMAP /boot/config-$(uname -r)\n# CONFIG_IRQ_REMAP is not set\n', finds: [{ cause: 'irq-remap-missing', severity: 'fail', text: /built without CONFIG_IRQ_REMAP/ }] },
  {
    name: 'unsafe interrupts allowed: a warning',
    paste: '$ cat /proc/cmdline\nroot=/dev/sda1 vfio_iommu_type1.allow_unsafe_interrupts=1\n[   28.1] x2apic: IRQ remapping doesn\'t support X2APIC mode\n',
    finds: [{ cause: 'irq-remap-missing', severity: 'warn' }],
  },
  { name: 'remapping enabled', paste: '[    0.3] DMAR-IR: Enabled IRQ remapping in x2apic mode\n', finds: [] },
  {
    name: 'IOMMU known active: the same x2apic line is judged by the sysfs-era path too',
    paste: "[    0.5] pci 0000:00:02.0: Adding to iommu group 0\n[   28.1] x2apic: IRQ remapping doesn't support X2APIC mode\n",
    finds: [{ cause: 'irq-remap-missing', severity: 'fail' }],
  },
]);
