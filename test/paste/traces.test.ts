// bash -x traces and Python tracebacks (issue 14 item 5): the traced command travels with the error it
// printed, a device it writes about is a device of the analysis, and a traceback's final line is the
// message, judged by the message catalogue like any other.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readPaste } from '../../src/paste/read-paste.js';
import { analyze } from '../../src/analyze/analyze.js';
import { noIommuTable } from '../../src/analyze/rules/firmware/no-iommu-table.js';

async function read(text: string) {
  return readPaste([{ name: 'paste.txt', bytes: Buffer.from(text) }]);
}

test('bash -x: "+ echo ADDR" then a write error: one message with the command, the device named', async () => {
  const { snapshot, notUnderstood } = await read('$ sudo bash -x ./vfio-bind.sh\n+ modprobe vfio-pci\n+ echo 0000:0b:00.0\n./vfio-bind.sh: line 7: echo: write error: No such device\n');
  assert.deepEqual(notUnderstood, []);
  const msg = snapshot.toolMessages.find((m) => /write error/.test(m.text));
  assert.match(msg?.text ?? '', /write error: No such device \(after: echo 0000:0b:00\.0\)/);
  assert.ok(snapshot.pci.some((d) => d.address === '0000:0b:00.0'));
  assert.ok(snapshot.pasted?.namedDevices.some((n) => n.address === '0000:0b:00.0' && /traced script/.test(n.by)));
  const f = analyze(snapshot).findings.find((x) => x.cause === 'vfio-ids-mismatch');
  assert.ok(f, 'the ENODEV reading of the write error');
  assert.match(f.evidence.map((e) => e.text).join(' '), /after: echo 0000:0b:00\.0/);
});

test('bash -x with the redirection shown (set -v, retyped) and a bash: prefix', async () => {
  const { snapshot } = await read('+ echo 0000:0b:00.0 > /sys/bus/pci/drivers/vfio-pci/bind\nbash: echo: write error: No such device\n');
  assert.match(snapshot.toolMessages[0]?.text ?? '', /\(after: echo 0000:0b:00\.0 > \/sys\/bus\/pci\/drivers\/vfio-pci\/bind\)/);
  assert.ok(snapshot.pasted?.namedDevices.some((n) => n.address === '0000:0b:00.0'));
});

test('bash -x: a trace line alone names no device unless it writes to sysfs', async () => {
  const quiet = (await read('+ echo 0000:0b:00.0\n+ lspci -nnk\n')).snapshot;
  assert.equal(quiet.pasted?.namedDevices.length ?? 0, 0);
  const override = (await read('+ tee /sys/bus/pci/devices/0000:0c:00.1/driver_override\n')).snapshot;
  assert.ok(override.pasted?.namedDevices.some((n) => n.address === '0000:0c:00.1'));
});

test('a Python traceback is one message: the final exception line, with the frame that raised it', async () => {
  const paste = [
    'Traceback (most recent call last):',
    '  File "/var/lib/vz/snippets/gpu-hook.py", line 41, in <module>',
    '    bind(dev)',
    '  File "/var/lib/vz/snippets/gpu-hook.py", line 17, in bind',
    "    f.write(addr)",
    "OSError: [Errno 16] Device or resource busy",
    '',
  ].join('\n');
  const { snapshot, notUnderstood } = await read(paste);
  assert.deepEqual(notUnderstood, []);
  assert.equal(snapshot.toolMessages.length, 1);
  assert.equal(snapshot.toolMessages[0]!.line, 6);
  assert.match(snapshot.toolMessages[0]!.text, /^OSError: \[Errno 16\] Device or resource busy \(raised in \/var\/lib\/vz\/snippets\/gpu-hook\.py:17, bind\)$/);
});

test('a Python traceback without its final line is not claimed as one', async () => {
  const { snapshot } = await read('Traceback (most recent call last):\n  File "x.py", line 1, in <module>\n');
  assert.equal(snapshot.toolMessages.length, 0);
});

const DMIDECODE = `# dmidecode 3.4
Getting SMBIOS data from sysfs.
SMBIOS 3.3.0 present.

Handle 0x0000, DMI type 0, 26 bytes
BIOS Information
	Vendor: American Megatrends International, LLC.
	Version: 1.A0
	Release Date: 03/22/2023
	ROM Size: 16 MB
	Characteristics:
		PCI is supported
		BIOS is upgradeable

Handle 0x0001, DMI type 1, 27 bytes
System Information
	Manufacturer: Micro-Star International Co., Ltd.
	Product Name: MS-7C56
	Version: 2.0
	Serial Number: To be filled by O.E.M.

Handle 0x0002, DMI type 2, 15 bytes
Base Board Information
	Manufacturer: Micro-Star International Co., Ltd.
	Product Name: B550-A PRO (MS-7C56)
	Version: 2.0
`;

test('dmidecode gives the firmware and board, and the firmware advice names them', async () => {
  const { snapshot, notUnderstood } = await read(`$ sudo dmidecode\n${DMIDECODE}`);
  assert.deepEqual(notUnderstood, []);
  assert.deepEqual(snapshot.host.dmi, {
    sysVendor: 'Micro-Star International Co., Ltd.',
    productName: 'MS-7C56',
    boardVendor: 'Micro-Star International Co., Ltd.',
    boardName: 'B550-A PRO (MS-7C56)',
    biosVendor: 'American Megatrends International, LLC.',
    biosVersion: '1.A0',
    biosDate: '03/22/2023',
  });
  // The same host with no IVRS table and no IOMMU groups: the firmware advice names the board and BIOS.
  const s2 = { ...snapshot, host: { ...snapshot.host, cpu: { vendor: 'amd' as const, vendorId: 'AuthenticAMD', modelName: null, vmx: false, svm: true, hypervisor: false, x2apic: true } }, iommu: { ...snapshot.iommu, groups: [] }, firmware: { ...snapshot.firmware, acpiTables: { DMAR: false, IVRS: false, IORT: null } } };
  const f = analyze(s2, {}, [noIommuTable]).findings.find((x) => x.cause === 'iommu-disabled-firmware');
  assert.ok(f);
  assert.match(f.decision, /board \(Micro-Star International Co\., Ltd\. B550-A PRO \(MS-7C56\)\) runs firmware 1\.A0 of 03\/22\/2023/);
});

test('pveversion -v of two eras: Proxmox, the running kernel and the installed kernel packages, every line read', async () => {
  const eight = `$ pveversion -v
proxmox-ve: 8.2.0 (running kernel: 6.8.12-4-pve)
pve-manager: 8.2.7 (running version: 8.2.7/3e0176e6bb2ade3b)
proxmox-kernel-helper: 8.1.0
proxmox-kernel-6.8: 6.8.12-4
proxmox-kernel-6.8.12-4-pve-signed: 6.8.12-4
proxmox-kernel-6.5.13-6-pve-signed: 6.5.13-6
pve-qemu-kvm: 9.0.2-3
qemu-server: 8.2.4
`;
  const five = `proxmox-ve: 5.4-2 (running kernel: 4.15.18-30-pve)
pve-manager: 5.4-15 (running version: 5.4-15/d0ec33c6)
pve-kernel-4.15: 5.4-19
pve-kernel-4.15.18-30-pve: 4.15.18-58
pve-kernel-4.15.18-12-pve: 4.15.18-36
pve-qemu-kvm: 3.0.1-4
qemu-server: 5.0-56
`;
  for (const [text, running, kernels] of [[eight, '6.8.12-4-pve', ['6.8.12-4-pve', '6.5.13-6-pve']], [five, '4.15.18-30-pve', ['4.15.18-30-pve', '4.15.18-12-pve']]] as const) {
    const { snapshot, notUnderstood } = await read(text);
    assert.deepEqual(notUnderstood, []);
    assert.equal(snapshot.host.kernelRelease, running);
    assert.equal(snapshot.host.osRelease?.family, 'proxmox');
    assert.deepEqual(snapshot.host.installedKernels.map((k) => k.version), kernels);
  }
});
