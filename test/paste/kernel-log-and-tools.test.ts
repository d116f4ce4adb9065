// The kernel log in every pasted form, and the tool messages next to it: which lines become kernel-log
// lines, which become tool messages (and of which tool), and what the log says in passing (groups,
// drivers, the command line, the release, the ACPI tables).
import test from 'node:test';
import assert from 'node:assert/strict';
import { recognise, snapshotOf } from './helpers.js';
import type { ToolName } from '../../src/snapshot/types.js';

const KERNEL_FORMATS: [string, string][] = [
  ['dmesg', '[    0.151960] DMAR: IOMMU enabled'],
  ['dmesg -T', '[Tue Feb  4 10:18:11 2026] DMAR: IOMMU enabled'],
  ['dmesg -x', 'kern  :info  : [    0.151960] DMAR: IOMMU enabled'],
  ['dmesg -r', '<6>[    0.151960] DMAR: IOMMU enabled'],
  ['journalctl -k (short)', 'Jan 31 09:12:02 server kernel: DMAR: IOMMU enabled'],
  ['journalctl -k -o short-iso', '2024-01-31T09:12:02+0100 server kernel: DMAR: IOMMU enabled'],
  ['journalctl -k -o short-monotonic', '[    0.151960] server kernel: DMAR: IOMMU enabled'],
  ['journalctl -k -o json', '{"MESSAGE":"DMAR: IOMMU enabled","_TRANSPORT":"kernel","SYSLOG_IDENTIFIER":"kernel","PRIORITY":"6"}'],
  ['kern.log', 'Jan 31 09:12:02 pve kernel: [    0.151960] DMAR: IOMMU enabled'],
  ['bare kernel message (grep output)', 'DMAR: IOMMU enabled'],
  ['bare device message', 'vfio-pci 0000:c3:00.0: BAR 0: can\'t reserve [mem 0x2800000000-0x2fffffffff 64bit pref]'],
];

test('kernel log: every dmesg and journal format is the kernel log', async () => {
  for (const [name, line] of KERNEL_FORMATS) {
    const r = recognise(line);
    assert.deepEqual(r.kinds, ['kernel-log'], name);
    assert.equal(r.facts.kernelLines.length, 1, name);
    const snap = await snapshotOf(line);
    assert.equal(snap.kernelLog?.lines.length, 1, `${name}: kept as a relevant line`);
    assert.equal(snap.kernelLog?.lines[0]!.n, 1, `${name}: line number points into the paste`);
  }
});

const TOOL_LINES: [ToolName, string][] = [
  ['qemu', 'qemu-system-x86_64: -device vfio-pci,host=01:00.0,multifunction=on: vfio error: 0000:01:00.0: group 1 is not viable'],
  ['qemu', 'Please ensure all devices within the iommu_group are bound to their vfio bus driver.'],
  ['qemu', 'kvm: -device vfio-pci,host=0000:01:00.0,id=hostpci0,bus=ich9-pcie-port-1,addr=0x0: vfio 0000:01:00.0: failed to open /dev/vfio/1: No such file or directory'],
  ['qemu', '2021-11-04T10:57:09.827813Z qemu-kvm: -device vfio-pci,host=0000:af:04.7: vfio 0000:af:04.7: failed to setup container for group 106: failed to open /dev/vfio/vfio:'],
  ['qemu', 'vfio: Unable to power on device, stuck in D3'],
  ['qemu', 'vfio_dma_map(0x55d1c8a6a0e0, 0x0, 0x80000000, 0x7f4b7fe00000) = -12 (Cannot allocate memory)'],
  ['libvirt', 'error: argument unsupported: VFIO device assigment is currently not supported on this system'],
  ['libvirt', 'error: Failed to detach device pci_0000_01_00_0'],
  ['libvirt', '2023-05-02 09:11:23.431+0000: 1421: error : virPCIDeviceNew:1341 : Device 0000:0b:00.0 not found: could not access /sys/bus/pci/devices/0000:0b:00.0/config: No such file or directory'],
  ['proxmox', 'TASK ERROR: cannot prepare PCI pass-through, IOMMU not present'],
  ['proxmox', "no PCI device found for '0000:0a:00.0'"],
  ['kubevirt', 'Error: failed to generate container spec: failed to generate spec:'],
  ['kubevirt', 'lstat /dev/vfio/devices/vfio0: no such file or directory'],
  ['kubevirt', 'vfio group X is not viable, please ensure all devices within the iommu group are bound to their vfio bus driver'],
  ['dpdk', 'EAL: 0000:44:00.3 VFIO group is not viable! Not all devices in IOMMU group bound to VFIO or unbound'],
  ['dpdk', 'EAL: Driver cannot attach the device (0000:44:00.3)'],
  ['cloud-hypervisor', 'Error booting VM: VmBoot(DeviceManager(VfioMapRegion(VfioDmaMap(IoctlError(12)))))'],
  ['dracut', "dracut-install: Failed to find module 'vfio_virqfd'"],
  ['dracut', 'dracut: FAILED:  /usr/lib/dracut/dracut-install -D /var/tmp/dracut.qYNhve/initramfs --kerneldir /lib/modules/6.6.9-200.fc39.x86_64/ -m vfio vfio_iommu_type1 vfio_pci vfio_virqfd'],
  ['mkinitcpio', "==> ERROR: module not found: `vfio_virqfd'"],
  ['mkinitcpio', '-> Running build hook: [modconf]'],
  ['update-initramfs', 'update-initramfs: Generating /boot/initrd.img-6.8.0-48-generic'],
  ['update-initramfs', 'W: Possible missing firmware /lib/firmware/amdgpu/gc_11_0_0_mes.bin for module amdgpu'],
  ['modprobe', 'modprobe: FATAL: Module vfio_virqfd not found in directory /lib/modules/6.2.16-3-pve'],
  ['modprobe', "modprobe: ERROR: could not insert 'vendor_reset': Key was rejected by service"],
  ['modprobe', "systemd-modules-load[412]: Failed to find module 'vfio_virqfd'"],
  ['dkms', 'Error! Bad return status for module build on kernel: 6.8.0-48-generic (x86_64)'],
  ['dkms', 'vendor-reset/0.1.1, 6.8.0-48-generic, x86_64: installed'],
  ['other', 'Abort!!! /root/proxmox-vgpu-installer/secure-boot/module-signing.crt is not a valid x509 certificate in DER format'],
  ['other', 'error: bad shim signature.'],
  ['shell', "ls: cannot access '/sys/kernel/iommu_groups/*': No such file or directory"],
];

test('tool messages: each line goes to the tool that printed it', () => {
  for (const [tool, line] of TOOL_LINES) {
    const r = recognise(line);
    assert.deepEqual(r.notUnderstood, [], line);
    assert.equal(r.facts.toolMessages.length, 1, `${line}: one tool message`);
    assert.equal(r.facts.toolMessages[0]!.tool, tool, line);
    assert.equal(r.facts.kernelLines.length, 0, `${line}: not a kernel line`);
  }
});

test('journal lines of other programs become tool messages by their identifier; unrelated ones are read and dropped', () => {
  const r = recognise(
    [
      'Jan 31 09:12:02 pve kernel: vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)',
      'Jan 31 09:12:03 pve libvirtd[1421]: internal error: qemu unexpectedly closed the monitor',
      "Jan 31 09:12:03 pve systemd-modules-load[412]: Failed to find module 'vfio_virqfd'",
      'Jan 31 09:12:04 pve sshd[2201]: Accepted publickey for root from 192.0.2.1 port 50312 ssh2',
    ].join('\n'),
  );
  assert.deepEqual(r.notUnderstood, []);
  assert.equal(r.facts.kernelLines.length, 1);
  assert.deepEqual(r.facts.toolMessages.map((m) => m.tool), ['libvirt', 'modprobe']);
});

test('structured logs: DPDK JSON by logger, KubeVirt by component, Harvester logfmt by content', () => {
  const r = recognise(
    [
      '{"level":"error","ts":1654654667.4602127,"logger":"eal","msg":"rte_dev_probe error","addr":"0000:44:00.3","args":"","error":"1 Operation not permitted"}',
      '{"component":"virt-launcher","level":"error","msg":"failed to start VMI","reason":"vfio 0000:af:04.7: failed to open /dev/vfio/vfio: permission denied"}',
      'time="2022-10-18T15:34:50Z" level=info msg="Binding device p5820-000065000 [10de 1cb1] to vfio-pci"',
      'time="2022-10-18T15:34:28Z" level=info msg="Reconciling PCI Devices list"',
    ].join('\n'),
  );
  assert.deepEqual(r.notUnderstood, []);
  assert.deepEqual(r.facts.toolMessages.map((m) => m.tool), ['dpdk', 'kubevirt', 'other']);
  assert.match(r.facts.toolMessages[0]!.text, /addr=0000:44:00\.3/);
});

test('what the kernel log says in passing: groups, drivers, ids, release, command line, ACPI tables', async () => {
  const snap = await snapshotOf(
    [
      '[    0.000000] Linux version 6.8.12-4-pve (build@proxmox) (gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4 (2024-11-06T15:04Z) ()',
      '[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt',
      '[    0.010317] ACPI: DMAR 0x000000007A8E7000 0000A8 (v01 INTEL  EDK2     00000002      01000013)',
      '[    0.010320] ACPI: FACP 0x000000007A8F0000 000114 (v06 ALASKA A M I    01072009 AMI  00010013)',
      '[    0.312118] pci 0000:01:00.0: [10de:1e87] type 00 class 0x030000 PCIe Legacy Endpoint',
      '[    0.520441] pci 0000:01:00.0: Adding to iommu group 1',
      '[    0.520452] pci 0000:01:00.1: Adding to iommu group 1',
      '[    3.113004] vfio-pci 0000:01:00.0: vgaarb: changed VGA decodes: olddecodes=io+mem,decodes=io+mem:owns=none',
    ].join('\n'),
  );
  assert.equal(snap.host.kernelRelease, '6.8.12-4-pve');
  assert.deepEqual(snap.host.cmdline?.iommu.intelIommu, ['on']);
  assert.equal(snap.firmware.acpiTables.DMAR, true);
  assert.equal(snap.firmware.acpiTables.IVRS, false, 'the table list was in the log and had no IVRS');
  assert.deepEqual(snap.iommu.groups?.map((g) => [g.id, g.devices]), [[1, ['0000:01:00.0', '0000:01:00.1']]]);
  const gpu = snap.pci.find((d) => d.address === '0000:01:00.0')!;
  assert.equal(gpu.driver, 'vfio-pci');
  assert.equal(`${gpu.vendorId}:${gpu.deviceId} ${gpu.classCode}`, '10de:1e87 030000');
});

test('a filtered log (dmesg | grep DMAR) does not claim that ACPI tables are missing', async () => {
  const snap = await snapshotOf('$ dmesg | grep DMAR\n[    0.151960] DMAR: IOMMU enabled\n');
  assert.deepEqual(snap.firmware.acpiTables, { DMAR: null, IVRS: null, IORT: null });
});

test('vfio-pci probe -22 with no group seen anywhere says DMA remapping is off; with groups seen it says nothing', async () => {
  const off = await snapshotOf('[ 6708.659672] vfio-pci: probe of 0000:65:00.0 failed with error -22\n');
  assert.deepEqual(off.iommu.groups, []);
  assert.match(off.sources['sys/kernel/iommu_groups']!.message ?? '', /inferred/);
  const on = await snapshotOf('[ 0.5] pci 0000:00:02.0: Adding to iommu group 0\n[ 6708.659672] vfio-pci: probe of 0000:65:00.0 failed with error -22\n');
  assert.deepEqual(on.iommu.groups?.map((g) => g.id), [0]);
});
