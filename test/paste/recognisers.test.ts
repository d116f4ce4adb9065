// One table per recogniser: real output as the tools print it, what it must be recognised as, and what
// it must add to the facts. Where a format needs its command to be told apart, the table gives the prompt.
import test from 'node:test';
import assert from 'node:assert/strict';
import { recognise, snapshotOf } from './helpers.js';
import type { PasteFacts } from '../../src/paste/facts.js';

interface Row {
  name: string;
  text: string;
  command?: string;
  kind: string;
  check: (f: PasteFacts) => void;
}

function table(title: string, rows: Row[]): void {
  test(title, () => {
    for (const row of rows) {
      const r = recognise(row.text, row.command);
      assert.deepEqual(r.notUnderstood, [], `${row.name}: every line understood`);
      assert.ok(r.kinds.includes(row.kind), `${row.name}: recognised as ${row.kind}, got ${r.kinds.join(', ')}`);
      row.check(r.facts);
    }
  });
}

table('iommu-groups: the listing scripts people run', [
  {
    name: 'Arch wiki loop (IOMMU Group N <lspci -nns>)',
    text: 'IOMMU Group 34 02:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)\nIOMMU Group 34 02:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)\nIOMMU Group 35 01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1080] [10de:1b80] (rev a1)',
    kind: 'iommu-groups',
    check: (f) => {
      assert.deepEqual([...f.groups.get(34)!], ['0000:02:00.0', '0000:02:00.1']);
      assert.equal(f.devices.get('0000:01:00.0')!.deviceId, '1b80');
    },
  },
  {
    name: 'ls-iommu style with a colon',
    text: 'IOMMU Group 16: 01:00.0 VGA compatible controller [0300]: NVIDIA Corporation AD102 [GeForce RTX 4090] [10de:2684] (rev a1)',
    kind: 'iommu-groups',
    check: (f) => assert.deepEqual([...f.groups.get(16)!], ['0000:01:00.0']),
  },
  {
    name: 'header and tab-indented members, with driver lines',
    text: 'IOMMU Group 1:\n\t00:01.0 PCI bridge [0604]: Intel Corporation Xeon E3-1200 v3/4th Gen Core Processor PCI Express x16 Controller [8086:0c01] (rev 06)\n\t01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GK104 [GeForce GTX 760] [10de:1187] (rev a1)\n\t\tKernel driver in use: nvidia',
    kind: 'iommu-groups',
    check: (f) => {
      assert.equal(f.groups.get(1)!.size, 2);
      assert.equal(f.devices.get('0000:01:00.0')!.driver?.name, 'nvidia');
    },
  },
  {
    name: 'a script with the IOMMMU typo',
    text: 'IOMMMU Group 13:\n\t03:00.0 Ethernet controller [0200]: Realtek Semiconductor Co., Ltd. RTL8111/8168/8411 PCI Express Gigabit Ethernet Controller [10ec:8168] (rev 06)',
    kind: 'iommu-groups',
    check: (f) => assert.deepEqual([...f.groups.get(13)!], ['0000:03:00.0']),
  },
  {
    name: 'the playbook loop (Group N, addresses indented by one space)',
    text: 'Group 1\n 0000:00:01.0\nGroup 2\n 0000:01:00.0\n 0000:01:00.1',
    kind: 'iommu-groups',
    check: (f) => assert.deepEqual([...f.groups.keys()], [1, 2]),
  },
  {
    name: '### Group N ### with lspci -s members',
    text: '### Group 4 ###\n    03:00.0 Ethernet controller: Intel Corporation I211 Gigabit Network Connection (rev 03)',
    kind: 'iommu-groups',
    check: (f) => assert.equal(f.devices.get('0000:03:00.0')!.classCode, '0200'),
  },
  {
    name: 'IOMMU Group: N / Group Device: lines',
    text: '  IOMMU Group: 50\n    Group Device: 0000:97:00.4 - Generic system peripheral [0807]: Intel Corporation Device [8086:0b23]',
    kind: 'iommu-groups',
    check: (f) => assert.deepEqual([...f.groups.get(50)!], ['0000:97:00.4']),
  },
  {
    name: 'find /sys/kernel/iommu_groups -type l',
    text: '/sys/kernel/iommu_groups/7/devices/0000:00:1b.0\n/sys/kernel/iommu_groups/1/devices/0000:00:01.0\n/sys/kernel/iommu_groups/1/devices/0000:01:00.0',
    kind: 'iommu-groups',
    check: (f) => assert.deepEqual([...f.groups.get(1)!], ['0000:00:01.0', '0000:01:00.0']),
  },
]);

table('iommu-sysfs: listings only the command explains', [
  { name: 'ls of one group', command: 'ls /sys/kernel/iommu_groups/6/devices/', text: '0000:86:00.0  0000:86:00.1', kind: 'iommu-sysfs', check: (f) => assert.equal(f.groups.get(6)!.size, 2) },
  {
    name: 'ls -l of one group gives the bridges above',
    command: 'ls -l /sys/kernel/iommu_groups/6/devices',
    text: 'total 0\nlrwxrwxrwx 1 root root 0 Nov  1 12:00 0000:86:00.0 -> ../../../../devices/pci0000:80/0000:80:03.0/0000:86:00.0',
    kind: 'iommu-sysfs',
    check: (f) => assert.deepEqual(f.devices.get('0000:86:00.0')!.upstream, ['0000:80:03.0']),
  },
  { name: 'ls of the groups directory', command: 'ls /sys/kernel/iommu_groups', text: '0\n1\n10\n11', kind: 'iommu-sysfs', check: (f) => assert.deepEqual([...f.groupIds], [0, 1, 10, 11]) },
  { name: 'readlink of a device\'s group', command: 'readlink /sys/bus/pci/devices/0000:01:00.0/iommu_group', text: '../../../../kernel/iommu_groups/12', kind: 'iommu-sysfs', check: (f) => assert.equal(f.devices.get('0000:01:00.0')!.iommuGroup, 12) },
]);

table('dpdk-devbind --status', [
  {
    name: 'network devices on DPDK and kernel drivers',
    text: "Network devices using DPDK-compatible driver\n============================================\n0000:44:00.3 'Ethernet Controller X710 for 10 Gigabit SFP+ 104e' drv=vfio-pci unused=i40e\n\nNetwork devices using kernel driver\n===================================\n0000:44:00.0 'Ethernet Controller X710 for 10GBASE-T 15ff' if=enp68s0f0 drv=i40e unused=vfio-pci *Active*\n\nNo 'Crypto' devices detected\n============================",
    kind: 'dpdk-devbind',
    check: (f) => {
      assert.equal(f.devices.get('0000:44:00.3')!.driver?.name, 'vfio-pci');
      assert.equal(f.devices.get('0000:44:00.0')!.deviceId, '15ff');
      assert.equal(f.devices.get('0000:44:00.0')!.classCode, '020000');
    },
  },
]);

table('libvirt XML', [
  {
    name: 'domain with a managed PCI hostdev and memory',
    text: "<domain type='kvm'>\n  <name>win10</name>\n  <memory unit='KiB'>16777216</memory>\n  <devices>\n    <hostdev mode='subsystem' type='pci' managed='yes'>\n      <source>\n        <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n      </source>\n      <address type='pci' domain='0x0000' bus='0x06' slot='0x00' function='0x0'/>\n    </hostdev>\n  </devices>\n</domain>",
    kind: 'libvirt-xml',
    check: (f) => {
      assert.deepEqual(f.vms.map((v) => [v.manager, v.name, v.devices.map((a) => [a.addresses, a.managed, a.guestAddress])]), [['libvirt', 'win10', [[['0000:01:00.0'], true, '0000:06:00.0']]]]);
      assert.equal(f.vms[0]!.memoryKiB, 16777216);
      // The hostdev's line in the paste: the section starts at line 1, the <hostdev> is its fifth line.
      assert.equal(f.vms[0]!.devices[0]!.line, 5);
    },
  },
  {
    name: 'nodedev-dumpxml with driver and IOMMU group',
    text: "<device>\n  <name>pci_0000_01_00_0</name>\n  <path>/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0</path>\n  <driver>\n    <name>vfio-pci</name>\n  </driver>\n  <capability type='pci'>\n    <class>0x030000</class>\n    <domain>0</domain>\n    <bus>1</bus>\n    <slot>0</slot>\n    <function>0</function>\n    <product id='0x1e87'>TU104 [GeForce RTX 2080]</product>\n    <vendor id='0x10de'>NVIDIA Corporation</vendor>\n    <iommuGroup number='1'>\n      <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n      <address domain='0x0000' bus='0x01' slot='0x00' function='0x1'/>\n    </iommuGroup>\n  </capability>\n</device>",
    kind: 'libvirt-xml',
    check: (f) => {
      const d = f.devices.get('0000:01:00.0')!;
      assert.equal(d.driver?.name, 'vfio-pci');
      assert.deepEqual(d.upstream, ['0000:00:01.0']);
      assert.equal(f.groups.get(1)!.size, 2);
    },
  },
]);

table('Proxmox VM configuration', [
  {
    name: 'qm config with a whole slot and single functions',
    command: 'qm config 100',
    text: 'bios: ovmf\nboot: order=scsi0\ncores: 8\nhostpci0: 0000:01:00,pcie=1,x-vga=1\nhostpci1: 02:00.0;02:00.1,pcie=1\nmachine: q35\nmemory: 16384\nname: win11\nnet0: virtio=BC:24:11:00:00:01,bridge=vmbr0\nscsi0: local-lvm:vm-100-disk-0,size=100G',
    kind: 'proxmox-config',
    check: (f) => {
      assert.deepEqual(f.vms[0]!.devices.map((h) => h.addresses), [['0000:01:00'], ['0000:02:00.0', '0000:02:00.1']]);
      assert.equal(f.vms[0]!.memoryKiB, 16384 * 1024);
      assert.deepEqual([f.vms[0]!.manager, f.vms[0]!.id, f.vms[0]!.name, f.vms[0]!.machine, f.vms[0]!.firmware], ['proxmox', '100', 'win11', 'q35', 'uefi']);
    },
  },
]);

table('kernel configuration excerpts and diffs', [
  {
    name: 'grep of /boot/config with a prompt',
    command: "grep -E 'CONFIG_VFIO|CONFIG_IRQ_REMAP' /boot/config-$(uname -r)",
    text: 'CONFIG_VFIO=m\nCONFIG_VFIO_PCI=m\n# CONFIG_IRQ_REMAP is not set',
    kind: 'kernel-config',
    check: (f) => assert.deepEqual(f.kernelConfig, { CONFIG_VFIO: 'm', CONFIG_VFIO_PCI: 'm', CONFIG_IRQ_REMAP: 'n' }),
  },
  {
    name: 'unified diff of grep output with file prefixes (the new side counts)',
    text: '-debian.master/config/amd64/config.common.amd64:CONFIG_VFIO=m\n-debian.master/config/amd64/config.common.amd64:CONFIG_VFIO_PCI=m\n+debian.master/config/amd64/config.common.amd64:CONFIG_VFIO=y\n+debian.master/config/amd64/config.common.amd64:CONFIG_VFIO_PCI=y',
    kind: 'kernel-config',
    check: (f) => {
      assert.equal(f.kernelConfig!['CONFIG_VFIO_PCI'], 'y');
      assert.deepEqual(f.kernelConfigChanges.map((c) => [c.option, c.before, c.after]), [['CONFIG_VFIO', 'm', 'y'], ['CONFIG_VFIO_PCI', 'm', 'y']]);
    },
  },
  {
    name: 'normal diff',
    text: '3c3\n< CONFIG_INTEL_IOMMU_DEFAULT_ON=y\n---\n> # CONFIG_INTEL_IOMMU_DEFAULT_ON is not set',
    kind: 'kernel-config',
    check: (f) => assert.equal(f.kernelConfig!['CONFIG_INTEL_IOMMU_DEFAULT_ON'], 'n'),
  },
  {
    name: 'scripts/diffconfig',
    command: 'scripts/diffconfig config-old config-new',
    text: ' VFIO_PCI m -> y\n-VFIO_VIRQFD m',
    kind: 'kernel-config',
    check: (f) => assert.deepEqual([f.kernelConfig!['CONFIG_VFIO_PCI'], f.kernelConfig!['CONFIG_VFIO_VIRQFD']], ['y', 'n']),
  },
]);

table('modprobe.d', [
  {
    name: 'a file shown with cat, with a comment',
    command: 'cat /etc/modprobe.d/vfio.conf',
    text: '# bind the GPU early\noptions vfio-pci ids=10de:1e87,10de:10f8 disable_vga=1\nsoftdep nvidia pre: vfio-pci',
    kind: 'modprobe-conf',
    check: (f) => {
      assert.deepEqual(f.modprobe.map((e) => [e.kind, e.module, e.file, e.line]), [['options', 'vfio-pci', '/etc/modprobe.d/vfio.conf', 2], ['softdep', 'nvidia', '/etc/modprobe.d/vfio.conf', 3]]);
    },
  },
  {
    name: 'grep -R output with file names',
    text: '/etc/modprobe.d/blacklist-nouveau.conf:blacklist nouveau\n/etc/modprobe.d/blacklist-nouveau.conf:options nouveau modeset=0',
    kind: 'modprobe-conf',
    check: (f) => assert.deepEqual(f.modprobe.map((e) => e.file), ['/etc/modprobe.d/blacklist-nouveau.conf', '/etc/modprobe.d/blacklist-nouveau.conf']),
  },
  {
    name: 'an install line',
    text: 'blacklist snd_hda_intel\ninstall snd_hda_intel /bin/false',
    kind: 'modprobe-conf',
    check: (f) => assert.deepEqual(f.modprobe.map((e) => e.kind), ['blacklist', 'install']),
  },
]);

table('module lists', [
  { name: 'dracut.conf.d', text: 'add_drivers+=" vfio vfio_iommu_type1 vfio_pci vfio_virqfd "', kind: 'module-lists', check: (f) => assert.deepEqual(f.loadAtBoot.map((e) => [e.module, e.stage]), [['vfio', 'initramfs'], ['vfio_iommu_type1', 'initramfs'], ['vfio_pci', 'initramfs'], ['vfio_virqfd', 'initramfs']]) },
  { name: 'mkinitcpio.conf', text: 'MODULES=(vfio_pci vfio vfio_iommu_type1)', kind: 'module-lists', check: (f) => assert.equal(f.loadAtBoot.length, 3) },
  { name: '/etc/modules shown with cat', command: 'cat /etc/modules', text: '# /etc/modules\nvfio\nvfio_iommu_type1\nvfio_pci\nvfio_virqfd', kind: 'module-lists', check: (f) => assert.deepEqual(f.loadAtBoot.map((e) => [e.module, e.file, e.line, e.stage]).at(-1), ['vfio_virqfd', '/etc/modules', 5, 'boot']) },
]);

table('boot loader configuration', [
  {
    name: '/etc/default/grub',
    command: 'cat /etc/default/grub',
    text: '# If you change this file, run update-grub\nGRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet splash intel_iommu=on iommu=pt"\nGRUB_CMDLINE_LINUX=""',
    kind: 'bootloader',
    check: (f) => assert.deepEqual(f.grubDefault, { file: '/etc/default/grub', cmdlineLinux: '', cmdlineLinuxDefault: 'quiet splash intel_iommu=on iommu=pt' }),
  },
  {
    name: 'systemd-boot entry',
    text: 'title   Proxmox Virtual Environment\nversion 6.8.12-4-pve\noptions root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on\nlinux   /EFI/proxmox/6.8.12-4-pve/vmlinuz-6.8.12-4-pve',
    kind: 'bootloader',
    check: (f) => assert.equal(f.blsEntries[0]!.options, 'root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on'),
  },
  {
    name: 'GRUB script variable with kernel arguments (cOS / Harvester)',
    text: 'set kernelcmd="$console_params root=LABEL=$label panic=0 intel_iommu=on amd_iommu=on iommu=pt"',
    kind: 'bootloader',
    check: (f) => assert.match(f.blsEntries[0]!.options ?? '', /intel_iommu=on/),
  },
  {
    name: 'grub.cfg linux line',
    text: "\tlinux\t/boot/vmlinuz-6.8.0-48-generic root=UUID=2a3d ro quiet splash intel_iommu=on",
    kind: 'bootloader',
    check: (f) => assert.equal(f.blsEntries[0]!.linux, '/boot/vmlinuz-6.8.0-48-generic'),
  },
]);

table('kernel command line', [
  { name: '/proc/cmdline without a prompt', text: 'BOOT_IMAGE=/boot/vmlinuz-6.8.0-48-generic root=UUID=2a3d ro quiet splash intel_iommu=on iommu=pt', kind: 'cmdline', check: (f) => assert.deepEqual(f.cmdline?.iommu.intelIommu, ['on']) },
  { name: '/proc/cmdline with a prompt and no BOOT_IMAGE', command: 'cat /proc/cmdline', text: 'quiet amd_iommu=on vfio-pci.ids=1002:73bf', kind: 'cmdline', check: (f) => assert.deepEqual(f.cmdline?.iommu.vfioPciIds, ['1002:73bf']) },
  { name: '/etc/kernel/cmdline is the next boot\'s', command: 'cat /etc/kernel/cmdline', text: 'root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on', kind: 'cmdline', check: (f) => assert.equal(f.kernelCmdlineFile, 'root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on') },
]);

table('uname and the distribution', [
  { name: 'uname -r', text: '5.13.19-5-pve-relaxablermrr', kind: 'uname', check: (f) => assert.equal(f.kernelRelease, '5.13.19-5-pve-relaxablermrr') },
  { name: 'uname -r of a plain release needs its prompt', command: 'uname -r', text: '6.12.0', kind: 'uname', check: (f) => assert.equal(f.kernelRelease, '6.12.0') },
  {
    name: 'uname -a',
    text: 'Linux pve 6.8.12-4-pve #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4 (2024-11-06T15:04Z) x86_64 GNU/Linux',
    kind: 'uname',
    check: (f) => assert.deepEqual([f.hostname, f.kernelRelease, f.architecture], ['pve', '6.8.12-4-pve', 'x86_64']),
  },
  { name: 'uname -a behind an issue-template label', text: 'OS: Linux archlinux 7.1.2-arch3-1 #1 SMP PREEMPT_DYNAMIC Fri, 03 Jul 2026 23:25:36 +0000 x86_64 GNU/Linux', kind: 'uname', check: (f) => assert.equal(f.kernelRelease, '7.1.2-arch3-1') },
  { name: '/etc/os-release', text: 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian', kind: 'os-release', check: (f) => assert.equal(f.osRelease?.family, 'debian') },
  { name: 'hostnamectl', text: ' Static hostname: box\n Operating System: Fedora Linux 40 (Workstation Edition)\n          Kernel: Linux 6.11.4-301.fc41.x86_64\n    Architecture: x86-64', kind: 'os-release', check: (f) => assert.deepEqual([f.osRelease?.family, f.kernelRelease], ['fedora', '6.11.4-301.fc41.x86_64']) },
  { name: 'pveversion', text: 'pve-manager/8.1.3/b46aac3b42da5d15 (running kernel: 6.5.11-7-pve)', kind: 'os-release', check: (f) => assert.deepEqual([f.osRelease?.family, f.kernelRelease, f.proxmox], ['proxmox', '6.5.11-7-pve', true]) },
]);

table('CPU', [
  { name: '/proc/cpuinfo', text: 'processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel name\t: Intel(R) Core(TM) i5-11400F CPU @ 2.60GHz\nflags\t\t: fpu vme de pse tsc msr pae vmx x2apic', kind: 'cpuinfo', check: (f) => assert.deepEqual([f.cpu?.vendor, f.cpu?.vmx], ['intel', true]) },
  { name: 'lscpu', text: 'Architecture:            x86_64\nVendor ID:               AuthenticAMD\nModel name:              AMD Ryzen 7 9800X3D 8-Core Processor\nFlags:                   fpu vme de svm x2apic\nVirtualization:          AMD-V', kind: 'cpuinfo', check: (f) => assert.deepEqual([f.cpu?.vendor, f.cpu?.svm], ['amd', true]) },
]);

table('/proc/iomem and /proc/interrupts', [
  {
    name: 'iomem with a framebuffer inside a GPU BAR',
    text: '2800000000-2fffffffff : 0000:c3:00.0\n  2800000000-2801fa3fff : BOOTFB\n    2800000000-2801fa3fff : simpledrm',
    kind: 'iomem',
    check: (f) => assert.deepEqual(f.iomem?.map((e) => [e.name, e.device, e.depth]), [['0000:c3:00.0', '0000:c3:00.0', 0], ['BOOTFB', '0000:c3:00.0', 1], ['simpledrm', '0000:c3:00.0', 2]]),
  },
  {
    name: 'interrupts with remapped chips',
    text: '            CPU0       CPU1\n   0:         44          0   IR-IO-APIC    2-edge      timer\n 120:          0          0  IR-PCI-MSI 1048576-edge      vfio-msi[0](0000:01:00.0)',
    kind: 'interrupts',
    check: (f) => assert.equal(f.interrupts?.remapped, true),
  },
]);

table('/dev/vfio', [
  {
    name: 'ls -l /dev/vfio',
    command: 'ls -l /dev/vfio',
    text: 'total 0\ncrw-rw---- 1 root kvm 243,   0 Feb  4 10:20 12\ncrw-rw-rw- 1 root root  10, 196 Feb  4 10:20 vfio',
    kind: 'dev-vfio',
    check: (f) => assert.deepEqual(f.vfioNodes?.map((n) => [n.path, n.mode, n.owner, n.group]), [['/dev/vfio/12', '0660', 'root', 'kvm'], ['/dev/vfio/vfio', '0666', 'root', 'root']]),
  },
  {
    name: 'one node, SELinux dot, argument after the path',
    command: 'ls /dev/vfio/vfio -al',
    text: 'crw-------. 1 root root 10, 196 Nov 24 14:32 /dev/vfio/vfio',
    kind: 'dev-vfio',
    check: (f) => assert.equal(f.vfioNodes?.[0]!.mode, '0600'),
  },
  {
    name: 'the directory is not there',
    text: "ls: cannot access '/dev/vfio': No such file or directory",
    kind: 'dev-vfio',
    check: (f) => assert.equal(f.sources['dev/vfio']?.status, 'absent'),
  },
]);

table('libvirt node device names', [
  { name: 'virsh nodedev-list', command: 'virsh nodedev-list', text: 'computer\nnet_lo_00_00_00_00_00_00\npci_0000_00_00_0\npci_0000_01_00_0\npci_0000_01_00_1', kind: 'virsh-nodedev', check: (f) => assert.deepEqual(f.libvirtNodedevs, ['pci_0000_00_00_0', 'pci_0000_01_00_0', 'pci_0000_01_00_1']) },
  { name: 'hook variables name the devices being passed', text: 'VIRSH_GPU_VIDEO=pci_0000_02_00_0\nVIRSH_GPU_AUDIO=pci_0000_02_00_1', kind: 'virsh-nodedev', check: (f) => assert.deepEqual(f.namedDevices.map((n) => n.address), ['0000:02:00.0', '0000:02:00.1']) },
]);

table('Secure Boot, lockdown and memlock', [
  { name: 'mokutil --sb-state', text: 'SecureBoot enabled', kind: 'mokutil', check: (f) => assert.equal(f.secureBoot, true) },
  { name: 'mokutil on a BIOS host', text: 'EFI variables are not supported on this system', kind: 'mokutil', check: (f) => assert.deepEqual([f.secureBoot, f.efi], [false, false]) },
  { name: 'lockdown file', text: 'none [integrity] confidentiality', kind: 'lockdown', check: (f) => assert.equal(f.lockdown, 'integrity') },
  { name: 'ulimit -l', command: 'ulimit -l', text: '8192', kind: 'ulimit', check: (f) => assert.equal(f.memlock?.kib, 8192) },
  { name: 'ulimit -a line', text: 'max locked memory           (kbytes, -l) unlimited', kind: 'ulimit', check: (f) => assert.equal(f.memlock?.kib, null) },
  { name: '/proc/PID/limits', text: 'Max locked memory         65536                65536                bytes', kind: 'ulimit', check: (f) => assert.equal(f.memlock?.kib, 64) },
  { name: 'systemd LimitMEMLOCK', text: 'LimitMEMLOCK=8388608', kind: 'ulimit', check: (f) => assert.equal(f.memlock?.kib, 8192) },
]);

table('sysfs attributes read by hand', [
  { name: 'one module parameter', command: 'cat /sys/module/vfio_pci/parameters/disable_idle_d3', text: 'Y', kind: 'sysfs-attr', check: (f) => assert.equal(f.moduleParams['vfio_pci']?.['disable_idle_d3'], 'Y') },
  { name: 'grep -r . over parameters', text: '/sys/module/vfio_pci/parameters/ids:10de:1e87,10de:10f8\n/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts:N', kind: 'sysfs-attr', check: (f) => assert.equal(f.moduleParams['vfio_iommu_type1']?.['allow_unsafe_interrupts'], 'N') },
  { name: 'reset_method', command: 'cat /sys/bus/pci/devices/0000:0f:00.0/reset_method', text: 'bus', kind: 'sysfs-attr', check: (f) => assert.deepEqual(f.devices.get('0000:0f:00.0')!.resetMethods, ['bus']) },
]);

table('initramfs listings', [
  {
    name: 'lsinitramfs',
    command: 'lsinitramfs /boot/initrd.img-6.8.0-48-generic',
    text: 'usr/lib/modules/6.8.0-48-generic/kernel/drivers/vfio/vfio.ko.zst\nusr/lib/modules/6.8.0-48-generic/kernel/drivers/vfio/pci/vfio-pci.ko.zst\nusr/lib/modules/6.8.0-48-generic/kernel/drivers/gpu/drm/nouveau/nouveau.ko.zst\netc/modprobe.d/vfio.conf',
    kind: 'initramfs-listing',
    check: (f) => assert.deepEqual([f.initramfs?.kernel, f.initramfs?.modules], ['6.8.0-48-generic', ['nouveau', 'vfio', 'vfio_pci']]),
  },
  {
    name: 'lsinitrd with its header',
    command: 'lsinitrd /boot/initramfs-6.6.9-200.fc39.x86_64.img',
    text: "Image: /boot/initramfs-6.6.9-200.fc39.x86_64.img: 32M\n========================================================================\nVersion: dracut-059-16.fc39\n\nArguments:  --kver '6.6.9-200.fc39.x86_64' -f\n\ndracut modules:\nbash\nsystemd\n========================================================================\n-rw-r--r--   1 root     root       115892 Jan  1 12:00 usr/lib/modules/6.6.9-200.fc39.x86_64/kernel/drivers/vfio/vfio.ko.xz\n========================================================================",
    kind: 'initramfs-listing',
    check: (f) => assert.deepEqual([f.initramfs?.kernel, f.initramfs?.modules], ['6.6.9-200.fc39.x86_64', ['vfio']]),
  },
  {
    name: 'lsinitrd long listing',
    command: 'lsinitrd',
    text: '-rw-r--r--   1 root     root       115892 Jan  1 12:00 usr/lib/modules/6.6.9-200.fc39.x86_64/kernel/drivers/vfio/vfio.ko.xz\n-rw-r--r--   1 root     root        31024 Jan  1 12:00 usr/lib/modules/6.6.9-200.fc39.x86_64/kernel/drivers/vfio/pci/vfio-pci-core.ko.xz',
    kind: 'initramfs-listing',
    check: (f) => assert.deepEqual(f.initramfs?.modules, ['vfio', 'vfio_pci_core']),
  },
]);

table('lsmod and /proc/modules', [
  { name: 'lsmod with its header', text: 'Module                  Size  Used by\nvfio_pci               16384  0\nvfio_pci_core          94208  1 vfio_pci\nkvm                  1335296  1 kvm_intel', kind: 'lsmod', check: (f) => assert.deepEqual(f.modulesLoaded?.map((m) => m.name), ['vfio_pci', 'vfio_pci_core', 'kvm']) },
  { name: '/proc/modules', text: 'vfio_pci 16384 0 - Live 0x0000000000000000\nvfio 65536 2 vfio_pci_core,vfio_iommu_type1, Live 0x0000000000000000', kind: 'lsmod', check: (f) => assert.equal(f.modulesLoaded?.length, 2) },
  { name: 'filtered lsmod is marked as such', command: 'lsmod | grep vfio', text: 'vfio_pci               16384  0', kind: 'lsmod', check: (f) => assert.match(f.sources['proc/modules']?.message ?? '', /filtered/) },
]);

table('package history and /boot', [
  {
    name: 'apt history.log',
    text: 'Start-Date: 2024-10-01  06:25:01\nCommandline: apt upgrade\nInstall: linux-image-6.8.0-48-generic:amd64 (6.8.0-48.48, automatic), linux-modules-6.8.0-48-generic:amd64 (6.8.0-48.48, automatic)\nEnd-Date: 2024-10-01  06:26:12',
    kind: 'package-history',
    check: (f) => assert.deepEqual(f.installedKernels.map((k) => k.version), ['6.8.0-48-generic']),
  },
  { name: 'dpkg.log', text: '2024-10-01 06:25:03 install proxmox-kernel-6.8.12-4-pve-signed:amd64 <none> 6.8.12-4', kind: 'package-history', check: (f) => assert.deepEqual(f.installedKernels.map((k) => k.version), ['6.8.12-4-pve']) },
  { name: 'yum.log', text: 'Jan 05 10:01:44 Installed: kernel-6.6.9-200.fc39.x86_64', kind: 'package-history', check: (f) => assert.deepEqual(f.installedKernels.map((k) => k.version), ['6.6.9-200.fc39.x86_64']) },
  { name: 'pacman.log', text: '[2024-01-10T12:00:00+0100] [ALPM] upgraded linux (6.6.8.arch1-1 -> 6.7.arch3-1)', kind: 'package-history', check: (f) => assert.deepEqual(f.installedKernels.map((k) => k.version), ['6.7.0-arch3-1']) },
  {
    name: 'ls -l /boot',
    command: 'ls -l /boot',
    text: 'total 98000\n-rw-r--r-- 1 root root   287000 Oct  1 06:25 config-6.8.0-48-generic\n-rw-r--r-- 1 root root 70000000 Oct  1 06:26 initrd.img-6.8.0-48-generic\n-rw------- 1 root root 14000000 Oct  1 06:25 vmlinuz-6.8.0-48-generic',
    kind: 'boot-listing',
    check: (f) => assert.deepEqual(f.installedKernels.map((k) => [k.version, k.vmlinuz, k.initramfs]), [['6.8.0-48-generic', '/boot/vmlinuz-6.8.0-48-generic', '/boot/initrd.img-6.8.0-48-generic']]),
  },
]);

test('lspci -t: bridges above each function, several domains', async () => {
  const snap = await snapshotOf(
    [
      '$ lspci -tv',
      '-+-[0000:00]-+-00.0  Intel Corporation Sky Lake-E DMI3 Registers',
      ' |           \\-1c.0-[01-02]----00.0-[02]----00.0  ASPEED Technology, Inc. ASPEED Graphics Family',
      ' \\-[0000:64]---00.0-[65-6a]----00.0-[66-6a]--+-08.0-[67]--+-00.0  NVIDIA Corporation GA102 [GeForce RTX 3090]',
      '                                             |            \\-00.1  NVIDIA Corporation GA102 High Definition Audio Controller',
      '                                             \\-11.0-[6a]--',
    ].join('\n'),
  );
  const up = (a: string) => snap.pci.find((d) => d.address === a)?.upstream;
  assert.deepEqual(up('0000:02:00.0'), ['0000:00:1c.0', '0000:01:00.0']);
  assert.deepEqual(up('0000:67:00.1'), ['0000:64:00.0', '0000:65:00.0', '0000:66:08.0']);
  assert.deepEqual(up('0000:66:11.0'), ['0000:64:00.0', '0000:65:00.0']);
});
