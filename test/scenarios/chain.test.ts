import { runScenarios, variant, fn, miniStory1, type Scenario } from '../helpers/scenario.js';
import { HOSTS } from '../fixtures/hosts.js';

// One scenario (at least) per cause, each a real fixture tree: the verdict's layer and cause, and the
// decision's key command. The playbook's "common mistakes" are marked as such.

const { intelDesktop, amdWorkstation, noIommuHost, switchHostWithoutAcs } = HOSTS;
const GPU = '0000:01:00.0';
const AUDIO = '0000:01:00.1';

const scenarios: Scenario[] = [
  { name: 'healthy Intel desktop with the GPU and its audio on vfio-pci', host: intelDesktop, expect: { status: 'healthy', layer: null, cause: null, alsoFinds: [{ cause: 'iommu-passthrough-default', severity: 'info' }] } },
  { name: 'healthy AMD Proxmox workstation', host: amdWorkstation, expect: { status: 'healthy', layer: null } },

  // firmware
  {
    name: 'playbook mistake 1: VT-d off in the BIOS (no DMAR table)',
    host: noIommuHost,
    expect: { status: 'broken', layer: 'firmware', cause: 'iommu-disabled-firmware', text: /Enable VT-d/, alsoFinds: [{ cause: 'host-driver-bound', trusted: false }] },
    devices: ['0000:01:00.0'],
  },
  {
    name: 'a VM without a virtual IOMMU',
    host: variant(noIommuHost, (h) => {
      h.cpu = { vendor: 'intel', hypervisor: true };
      h.dmi = { sysVendor: 'QEMU', productName: 'Standard PC (Q35 + ICH9, 2009)' };
    }),
    expect: { status: 'broken', layer: 'firmware', cause: 'iommu-disabled-firmware', text: /intel-iommu,intremap=on/ },
  },
  {
    name: 'VT-x disabled in the firmware',
    host: variant(intelDesktop, (h) => void (h.cpu = { vendor: 'intel', virtualization: false })),
    expect: { status: 'warning', layer: 'firmware', cause: 'virtualization-disabled' },
  },
  {
    name: 'firmware RMRR (direct region) in the target group',
    host: variant(intelDesktop, (h) => void (h.iommu!.reservedRegions = { 1: [{ start: 0x7a8f9000, end: 0x7a918fff, type: 'direct' }] })),
    expect: { status: 'broken', layer: 'firmware', cause: 'rmrr-blocked', subject: GPU },
  },

  // kernel
  {
    name: 'intel_iommu=off on the command line',
    host: variant(intelDesktop, (h) => {
      h.iommu = null;
      h.cmdlineArgs = ['intel_iommu=off'];
      h.firmware = { acpiTables: ['DMAR'] };
    }),
    expect: { status: 'broken', layer: 'kernel', cause: 'iommu-disabled-cmdline', command: /GRUB_CMDLINE_LINUX_DEFAULT=".*intel_iommu=on/ },
  },
  {
    name: 'playbook mistake 1: intel_iommu=on missing on a kernel with the Intel IOMMU off by default',
    host: variant(intelDesktop, (h) => {
      h.iommu = null;
      h.cmdlineArgs = ['iommu=pt'];
      h.firmware = { acpiTables: ['DMAR'] };
      h.kernel = { ...h.kernel, installed: [{ release: '6.8.0-45-generic', config: { CONFIG_INTEL_IOMMU_DEFAULT_ON: 'n' } }] };
    }),
    expect: { status: 'broken', layer: 'kernel', cause: 'iommu-disabled-cmdline', command: /intel_iommu=on/ },
  },
  {
    name: 'amd_iommu=off on an AMD host (Proxmox systemd-boot)',
    host: variant(amdWorkstation, (h) => {
      h.iommu = null;
      h.cmdlineArgs = ['amd_iommu=off'];
      h.firmware = { ...h.firmware, acpiTables: ['IVRS'] };
    }),
    expect: { status: 'broken', layer: 'kernel', cause: 'iommu-disabled-cmdline', command: /proxmox-boot-tool refresh|update-grub/ },
  },
  {
    name: 'amd_iommu=on is not an option',
    host: variant(amdWorkstation, (h) => void (h.cmdlineArgs = [...(h.cmdlineArgs ?? []), 'amd_iommu=on'])),
    expect: { status: 'warning', layer: 'kernel', cause: 'iommu-args-invalid', text: /amd_iommu=on is not an option/ },
  },
  {
    name: '"DMAR: IOMMU enabled" but the IOMMU never activated',
    host: variant(intelDesktop, (h) => {
      h.iommu = null;
      h.firmware = { acpiTables: ['DMAR'] };
      h.logs = { extraLines: ['DMAR: IOMMU enabled', 'DMAR: [Firmware Bug]: Your BIOS is broken; DMAR reported at address 0!'] };
    }),
    expect: { status: 'broken', layer: 'kernel', cause: 'iommu-inactive', text: /only means intel_iommu=on was parsed/ },
  },
  {
    name: 'interrupt remapping unsupported by the IOMMU',
    host: variant(intelDesktop, (h) => {
      h.iommu!.interruptRemapping = false;
      h.iommu!.units = h.iommu!.units!.map((u) => ({ ...u, ecap: 'f050d2' }));
    }),
    expect: { status: 'broken', layer: 'kernel', cause: 'irq-remap-missing', text: /No interrupt remapping support/ },
  },
  {
    name: 'interrupt remapping off, unsafe interrupts allowed',
    host: variant(intelDesktop, (h) => {
      h.iommu!.interruptRemapping = false;
      h.cmdlineArgs = [...(h.cmdlineArgs ?? []), 'intremap=off', 'vfio_iommu_type1.allow_unsafe_interrupts=1'];
      h.modules = { parameters: { vfio_iommu_type1: { allow_unsafe_interrupts: 'Y' } } };
    }),
    expect: { status: 'warning', layer: 'kernel', cause: 'irq-remap-missing' },
  },
  {
    name: 'kernel updated but not rebooted',
    host: variant(intelDesktop, (h) => void (h.kernel = { ...h.kernel, installed: [{ release: '6.8.0-45-generic' }, { release: '6.8.0-49-generic' }] })),
    expect: { status: 'warning', layer: 'kernel', cause: 'kernel-not-rebooted', text: /preflight --kernel 6\.8\.0-49-generic/ },
  },

  // modules
  {
    name: 'kernel built without VFIO',
    host: variant(intelDesktop, (h) => {
      h.kernel = { ...h.kernel, installed: [{ release: '6.8.0-45-generic', config: { CONFIG_VFIO: 'n', CONFIG_VFIO_PCI: 'n', CONFIG_VFIO_PCI_CORE: 'n', CONFIG_VFIO_IOMMU_TYPE1: 'n' } }] };
      fn(h, '01.0/00.0').driver = 'nouveau';
      fn(h, '01.0/00.1').driver = 'snd_hda_intel';
      h.modules = { loaded: ['nouveau', 'snd_hda_intel', 'nvme', 'kvm_intel', 'kvm'] };
    }),
    expect: { status: 'broken', layer: 'modules', cause: 'module-missing' },
  },
  {
    name: 'vfio_virqfd listed for a 6.8 kernel (Proxmox 8 boot error)',
    host: variant(intelDesktop, (h) => void (h.etcModules = ['vfio', 'vfio_iommu_type1', 'vfio_pci', 'vfio_virqfd'])),
    expect: { status: 'warning', layer: 'modules', cause: 'module-renamed', command: /sed -i 's\/\\bvfio_virqfd\\b\/\/g' \/etc\/modules/ },
  },
  {
    name: 'vfio_virqfd in dracut force_drivers on Fedora (dracut-install fails)',
    host: variant(intelDesktop, (h) => {
      h.os = 'fedora-40';
      h.kernel = { release: '6.8.9-300.fc40.x86_64' };
      h.initramfsModules = ['vfio', 'vfio_iommu_type1', 'vfio_pci', 'vfio_virqfd'];
    }),
    expect: { status: 'broken', layer: 'modules', cause: 'module-renamed', command: /dracut -f --regenerate-all/ },
  },
  {
    name: 'vfio-pci built in: modprobe.d ids ignored, the GPU stays on nouveau',
    host: variant(intelDesktop, (h) => {
      h.kernel = { ...h.kernel, installed: [{ release: '6.8.0-45-generic', config: { CONFIG_VFIO: 'y', CONFIG_VFIO_PCI: 'y', CONFIG_VFIO_PCI_CORE: 'y', CONFIG_VFIO_IOMMU_TYPE1: 'y' } }] };
      fn(h, '01.0/00.0').driver = 'nouveau';
      fn(h, '01.0/00.1').driver = 'snd_hda_intel';
    }),
    expect: { status: 'broken', layer: 'modules', cause: 'vfio-builtin-options-ignored', command: /vfio-pci\.ids=10de:1b80,10de:10f0/ },
  },
  {
    name: 'playbook mini-story 1: nouveau in the initramfs, vfio-pci not',
    host: miniStory1(),
    expect: { status: 'broken', layer: 'modules', cause: 'initramfs-missing-vfio', subject: GPU, command: /update-initramfs -u -k all/, alsoFinds: [{ cause: 'host-driver-bound', trusted: false }] },
  },

  // binding
  {
    name: 'playbook mistake 2: nvidia still owns the GPU after reboot (no softdep)',
    host: variant(intelDesktop, (h) => {
      h.modprobe = { 'vfio.conf': 'options vfio-pci ids=10de:1b80,10de:10f0\n' };
      fn(h, '01.0/00.0').driver = 'nvidia';
    }),
    expect: { status: 'broken', layer: 'binding', cause: 'host-driver-bound', subject: GPU, command: /softdep nvidia pre: vfio-pci/ },
  },
  {
    name: 'explicit --device for a GPU nothing configures for vfio-pci',
    host: variant(intelDesktop, (h) => {
      h.modprobe = {};
      fn(h, '01.0/00.0').driver = 'nouveau';
      fn(h, '01.0/00.1').driver = 'snd_hda_intel';
    }),
    devices: ['01:00.0'],
    expect: { status: 'broken', layer: 'binding', cause: 'host-driver-bound', text: /nothing asks vfio-pci to claim/, command: /options vfio-pci ids=10de:1b80/ },
  },
  {
    name: 'GPU audio companion left on snd_hda_intel',
    host: variant(intelDesktop, (h) => void (fn(h, '01.0/00.1').driver = 'snd_hda_intel')),
    devices: [GPU],
    expect: { status: 'broken', layer: 'binding', cause: 'companion-not-bound', subject: AUDIO, command: /softdep snd_hda_intel pre: vfio-pci|options vfio-pci ids=10de:10f0/ },
  },
  {
    name: 'vfio-pci id that matches nothing',
    host: variant(intelDesktop, (h) => void (h.modprobe = { 'vfio.conf': 'options vfio-pci ids=10de:1b80,10de:10f0,10de:2204\nsoftdep nvidia pre: vfio-pci\n' })),
    expect: { status: 'warning', layer: 'binding', cause: 'vfio-ids-mismatch', text: /10de:2204 matches no device/ },
  },
  {
    name: 'vfio-pci id also matches the NIC carrying the default route',
    host: variant(intelDesktop, (h) => void (h.modprobe = { 'vfio.conf': 'options vfio-pci ids=10de:1b80,10de:10f0,8086:15bc\n' })),
    devices: [GPU],
    expect: { status: 'broken', layer: 'binding', cause: 'vfio-ids-mismatch', text: /default route/ },
  },

  // isolation
  {
    name: 'playbook mistake 3: the GPU group also holds a USB controller',
    host: variant(intelDesktop, (h) => {
      fn(h, '14.0').iommuGroup = 1;
      fn(h, '01.0/00.0').iommuGroup = 1;
      fn(h, '01.0/00.1').iommuGroup = 1;
      fn(h, '01.0').iommuGroup = 1;
    }),
    expect: { status: 'broken', layer: 'isolation', cause: 'group-shared', subject: GPU, text: /xhci_hcd/ },
  },
  {
    name: 'the HBA group holds the NVMe with the root filesystem (mini-story 3 shape)',
    host: variant(switchHostWithoutAcs, (h) => {
      h.rootDisk = { device: '0000:68:00.0' };
      // A kernel update puts the HBA, the NVMe with the root filesystem and their downstream ports in one group.
      const upstream = fn(h, '00.0/00.0', 1);
      for (const ds of upstream.children ?? []) {
        ds.iommuGroup = 6;
        for (const c of ds.children ?? []) if (!c.id.startsWith('10de')) c.iommuGroup = 6;
      }
    }),
    devices: ['0000:69:00.0'],
    expect: { status: 'broken', layer: 'isolation', cause: 'group-shared', text: /0000:68:00\.0.*which the host needs/ },
  },
  {
    name: 'playbook mistake 6: ACS override in use',
    host: variant(amdWorkstation, (h) => void (h.cmdlineArgs = [...(h.cmdlineArgs ?? []), 'pcie_acs_override=downstream,multifunction'])),
    expect: { status: 'warning', layer: 'isolation', cause: 'acs-override-in-use' },
  },

  // device
  {
    name: 'BOOTFB and simpledrm inside the GPU BAR (Talos, case 24 shape)',
    host: variant(intelDesktop, (h) => {
      fn(h, '01.0/00.0').bars = [{ index: 0, size: '16M' }, { index: 1, size: '256M', prefetchable: true, address: 0x4000000000n }];
      h.iomemExtra = [
        { start: 0x4000000000n, end: 0x40007e8fffn, name: 'BOOTFB' },
        { start: 0x4000000000n, end: 0x40007e8fffn, name: 'simpledrm' },
      ];
    }),
    expect: { status: 'broken', layer: 'device', cause: 'bar-conflict', subject: GPU, command: /initcall_blacklist=sysfb_init/ },
  },
  {
    name: '"BAR 1: can\'t reserve" in the log',
    host: variant(intelDesktop, (h) => void (h.logs = { extraLines: ["vfio-pci 0000:01:00.0: BAR 1: can't reserve [mem 0x4000000000-0x400fffffff 64bit pref]"] })),
    expect: { status: 'broken', layer: 'device', cause: 'bar-conflict', subject: GPU },
  },
  {
    name: 'playbook mistake 4: AMD Polaris GPU without vendor-reset',
    host: variant(intelDesktop, (h) => {
      fn(h, '01.0/00.0').id = '1002:67df';
      fn(h, '01.0/00.1').id = '1002:aaf0';
      h.modprobe = { 'vfio.conf': 'options vfio-pci ids=1002:67df,1002:aaf0\n' };
    }),
    expect: { status: 'warning', layer: 'device', cause: 'reset-unsupported', subject: GPU, text: /vendor-reset/ },
  },
  {
    name: 'vendor-reset loaded but reset_method not device_specific (kernel 5.15+, case 28)',
    host: variant(intelDesktop, (h) => {
      fn(h, '01.0/00.0').id = '1002:67df';
      fn(h, '01.0/00.1').id = '1002:aaf0';
      fn(h, '01.0/00.0').resetMethods = ['flr', 'bus'];
      h.modprobe = { 'vfio.conf': 'options vfio-pci ids=1002:67df,1002:aaf0\n' };
      h.modules = { extraLoaded: [{ name: 'vendor_reset', taint: 'OE' }] };
    }),
    expect: { status: 'broken', layer: 'device', cause: 'reset-unsupported', command: /echo device_specific > \/sys\/bus\/pci\/devices\/0000:01:00\.0\/reset_method/ },
  },
  {
    name: 'an NVMe drive with no reset method at all (no FLR, no bus reset)',
    host: variant(intelDesktop, (h) => {
      const nvme = fn(h, '1d.0/00.0');
      nvme.resetMethods = [];
      nvme.driver = 'vfio-pci';
      h.rootDisk = { device: '0000:00:17.0', disk: 'sda' };
      nvme.caps = { ...nvme.caps, express: { ...(typeof nvme.caps?.express === 'object' ? nvme.caps.express : {}), flr: false } };
    }),
    devices: ['0000:02:00.0'],
    expect: { status: 'warning', layer: 'device', cause: 'reset-unsupported', subject: '0000:02:00.0' },
  },
  {
    name: 'playbook mistake 5: DMA faults from the GPU under load',
    host: variant(intelDesktop, (h) => {
      h.logs = {
        extraLines: [
          'DMAR: DRHD: handling fault status reg 2',
          'DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x7f3c0000 [fault reason 0x06] PTE Read access is not set',
          'DMAR: [DMA Write NO_PASID] Request device [01:00.0] fault addr 0x7f3d1000 [fault reason 0x05] PTE Write access is not set',
        ],
      };
    }),
    expect: { status: 'broken', layer: 'device', cause: 'dma-fault', text: /PTE (Read|Write) access is not set|fault/ },
  },
  {
    name: 'GPU stuck in D3cold (case 29 shape)',
    host: variant(intelDesktop, (h) => void (h.logs = { extraLines: ['vfio-pci 0000:01:00.0: Unable to change power state from D3cold to D0, device inaccessible'] })),
    expect: { status: 'broken', layer: 'device', cause: 'stuck-in-d3', command: /disable_idle_d3=1/ },
  },

  // hypervisor
  {
    name: 'group node missing for a device bound to vfio-pci',
    host: variant(intelDesktop, (h) => void (h.devNodes = { '/dev/vfio/1': null })),
    expect: { status: 'broken', layer: 'hypervisor', cause: 'vfio-node-permissions', text: /never chmod 666/ },
  },
  {
    name: '/dev/vfio/vfio created 0600 (KubeVirt device plugin, case 45 shape)',
    host: variant(intelDesktop, (h) => void (h.devNodes = { '/dev/vfio/vfio': { type: 'char', mode: '0600', uid: 0, gid: 0, major: 10, minor: 196 } })),
    expect: { status: 'broken', layer: 'hypervisor', cause: 'vfio-node-permissions' },
  },
  {
    name: '/dev/kvm missing',
    host: variant(intelDesktop, (h) => void (h.devNodes = { '/dev/kvm': null })),
    expect: { status: 'warning', layer: 'hypervisor', cause: 'kvm-unavailable' },
  },
];

runScenarios('chain', scenarios);
