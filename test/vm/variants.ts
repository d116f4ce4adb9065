// The guest variants: each one a machine (CPU vendor, IOMMU, command line, devices), the steps the guest
// runs, and what the kernel's own lines must show for the variant to be what it claims. What vfio-doctor
// must conclude from it is asserted in variants.test.ts.

import type { GuestCpu, GuestIommu } from './support/guest.js';
import { BIND_VFIO, COLLECT, nestedQemu } from './support/scripts.js';
import type { GuestKernel, Series } from './support/assets.js';

export interface StepContext {
  kernels: Record<Series, GuestKernel>;
}

export interface Variant {
  name: string;
  series: Series;
  cpu: GuestCpu;
  iommu: GuestIommu;
  intremap?: boolean;
  append?: string[];
  devices?: string[][];
  /** Shell steps after the preamble (DEV may be reassigned first); given every kernel of the run. */
  steps: string | ((ctx: StepContext) => string);
  /** A variant whose /out starts with the snapshot store another variant left (an upgrade). */
  after?: string;
  /** /out/initrd.img-next is 6.12's initramfs as mkinitramfs builds it from a module list written for
   *  kernels before 6.2 (/out is the only host directory the guest sees beside the read-only root). */
  nextInitrd?: boolean;
  /** Lines the guest kernel's dmesg must contain: the variant is what it says it is. */
  kernelShows: RegExp[];
}

// Two conventional PCI NICs behind a PCIe-to-PCI bridge: the bridge aliases their requester IDs, so the
// kernel puts both (and the bridge) in one IOMMU group.
const TWO_BEHIND_PCI_BRIDGE: string[][] = [
  ['-device', 'pcie-pci-bridge,id=pb1,bus=pcie.0,addr=0x3'],
  ['-device', 'e1000,bus=pb1,addr=0x1,romfile='],
  ['-device', 'e1000,bus=pb1,addr=0x2,romfile='],
];

const BOUND = `modprobe e1000e\n${BIND_VFIO}`;

export const VARIANTS: Variant[] = [
  {
    name: 'intel-vfio-6.1',
    series: '6.1',
    cpu: 'intel',
    iommu: 'intel',
    // Before the upgrade: store a snapshot, then install 6.12 beside the running 6.1 with an initramfs
    // module list written for kernels before 6.2, and ask preflight about it.
    nextInitrd: true,
    steps: ({ kernels }) => `${BOUND}${COLLECT}${nestedQemu('nested')}vd_to save snapshot --save --dir /out/store
NEXT=${kernels['6.12'].version}
mkdir -p /lib/modules/$NEXT /etc/initramfs-tools
mount --bind ${kernels['6.12'].modules} /lib/modules/$NEXT
cp ${kernels['6.12'].vmlinuz} ${kernels['6.12'].config} /boot/
cp /out/initrd.img-next /boot/initrd.img-$NEXT
printf 'vfio\nvfio_iommu_type1\nvfio_pci\nvfio_virqfd\n' >> /etc/initramfs-tools/modules
vd_to preflight preflight --kernel $NEXT --json
`,
    kernelShows: [/DMAR: IOMMU enabled|DMAR: Intel\(R\) Virtualization Technology for Directed I\/O/, /DMAR-IR: Enabled IRQ remapping/],
  },
  {
    name: 'intel-vfio-6.12',
    series: '6.12',
    cpu: 'intel',
    iommu: 'intel',
    after: 'intel-vfio-6.1',
    // After the upgrade: the same host on 6.12, compared with its boot on 6.1.
    steps: `${BOUND}${COLLECT}${nestedQemu('nested')}vd_to save snapshot --save --dir /out/store\nvd_to diff diff --last --dir /out/store --json\n`,
    kernelShows: [/DMAR: IOMMU enabled|DMAR: Intel\(R\) Virtualization Technology for Directed I\/O/, /DMAR-IR: Enabled IRQ remapping/],
  },
  {
    name: 'amd-vfio',
    series: '6.12',
    cpu: 'amd',
    iommu: 'amd',
    steps: `modprobe kvm_amd\n${BOUND}${COLLECT}${nestedQemu('nested')}`,
    kernelShows: [/AMD-Vi: /, /iommu: Default domain type/],
  },
  {
    name: 'no-iommu',
    series: '6.12',
    cpu: 'intel',
    iommu: null,
    steps: `${BOUND}${COLLECT}${nestedQemu('nested')}`,
    kernelShows: [/^(?![\s\S]*ACPI: DMAR)/],
  },
  {
    name: 'intel-iommu-off',
    series: '6.12',
    cpu: 'intel',
    iommu: 'intel',
    append: ['intel_iommu=off'],
    steps: `${BOUND}${COLLECT}${nestedQemu('nested')}`,
    kernelShows: [/intel_iommu=off/],
  },
  {
    name: 'intremap-off',
    series: '6.12',
    cpu: 'intel',
    iommu: 'intel',
    intremap: false,
    steps: `${BOUND}${COLLECT}${nestedQemu('nested')}`,
    kernelShows: [/DMAR: IOMMU enabled|DMAR: Intel\(R\) Virtualization Technology/],
  },
  {
    name: 'amd-iommu-on',
    series: '6.12',
    cpu: 'amd',
    iommu: 'amd',
    append: ['amd_iommu=on'],
    steps: `modprobe kvm_amd\n${BOUND}${COLLECT}`,
    kernelShows: [/AMD-Vi: Unknown option/],
  },
  {
    name: 'host-driver-first',
    series: '6.12',
    cpu: 'intel',
    iommu: 'intel',
    append: ['vfio-pci.ids=8086:10d3'],
    // No softdep: the NIC driver loads first and keeps the device, as it does when udev is faster.
    steps: `modprobe e1000e\nmodprobe vfio-pci\n${COLLECT}`,
    kernelShows: [/e1000e 0000:01:00\.0/],
  },
  {
    name: 'vfio-node-0600',
    series: '6.12',
    cpu: 'intel',
    iommu: 'intel',
    steps: `${BOUND}ls -l /dev/vfio > /out/dev-vfio.txt\n${COLLECT}${nestedQemu('nested', { as: '65534', alsoAnalyze: ['/out/dev-vfio.txt'] })}`,
    kernelShows: [/DMAR-IR: Enabled IRQ remapping/],
  },
  {
    name: 'memlock',
    series: '6.12',
    cpu: 'intel',
    iommu: 'intel',
    // The group node is opened to the user; the locked-memory limit (64 KiB) is far below the guest's RAM.
    steps: `${BOUND}chmod 0666 /dev/vfio/*\nprlimit --memlock=65536 sh -c 'echo \\$ ulimit -l; ulimit -l' > /out/ulimit.txt\n${COLLECT}${nestedQemu('nested', { as: '65534', memoryMiB: 128, memlockKiB: 64, alsoAnalyze: ['/out/ulimit.txt'] })}`,
    kernelShows: [/DMAR-IR: Enabled IRQ remapping/],
  },
  {
    name: 'shared-group',
    series: '6.12',
    cpu: 'intel',
    iommu: 'intel',
    devices: TWO_BEHIND_PCI_BRIDGE,
    steps: `DEV=0000:01:01.0\nmodprobe e1000\n${BIND_VFIO}${COLLECT}${nestedQemu('nested')}`,
    kernelShows: [/0000:01:02\.0: Adding to iommu group/],
  },
];
