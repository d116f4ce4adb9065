// The QEMU command-line adapter, one row per spelling QEMU accepts (qemu-options.hx, the vfio-pci property
// list), and the shell splitting that turns pasted command lines back into argv.
import test from 'node:test';
import assert from 'node:assert/strict';
import { cmdlineArgs, isQemuBinary, parseQemuCommand, qemuOptions, qemuSizeKiB, type ParsedQemuCommand } from '../../src/hypervisor/qemu-argv.js';
import { describes, withoutDescribedProcesses } from '../../src/hypervisor/running-qemu.js';
import { shellWords } from '../../src/parse/shell-words.js';
import type { VmDefinition } from '../../src/hypervisor/types.js';

const parse = (cmd: string, bin = 'qemu-system-x86_64'): ParsedQemuCommand => parseQemuCommand([bin, ...cmd.split(' ').filter(Boolean)].map((text) => ({ text, line: null })), 'test');
const dev = (cmd: string) => parse(cmd).devices.map(({ addresses, guestAddress, multifunction, romFile, romBar, primaryVga, label }) => ({ label, addresses, guestAddress, multifunction, romFile, romBar, primaryVga }));

test('QEMU binaries: qemu-system-<arch>, kvm, qemu-kvm by their base name; a message prefix is none', () => {
  const rows: [string, boolean][] = [
    ['/usr/bin/qemu-system-x86_64', true],
    ['qemu-system-aarch64', true],
    ['/usr/bin/kvm', true],
    ['/usr/libexec/qemu-kvm', true],
    ['qemu-system-x86_64:', false],
    ['kvm:', false],
    ['/usr/bin/qemu-img', false],
    ['kvmtool', false],
  ];
  for (const [arg0, want] of rows) assert.equal(isQemuBinary(arg0), want, arg0);
});

test('the name: -name guest=X,..., -name X, ",," inside it', () => {
  const rows: [string, string | null][] = [
    ['-name guest=win10,debug-threads=on', 'win10'],
    ['-name win10', 'win10'],
    ['-name win10,process=qemu-win10', 'win10'],
    ['--name gaming', 'gaming'],
    ['-name a,,b', 'a,b'],
    ['-m 1G', null],
  ];
  for (const [cmd, name] of rows) assert.equal(parse(cmd).name, name, cmd);
});

test('the id: Proxmox -id, the pidfile of qemu-server, else -uuid', () => {
  const rows: [string, string | null][] = [
    ['-id 100 -name win11 -uuid 4DEA22B3-1D52-D8F3-2516-782E98AB3FA0', '100'],
    ['-pidfile /var/run/qemu-server/101.pid', '101'],
    ['-pidfile /run/my-vm.pid -uuid 4DEA22B3-1D52-D8F3-2516-782E98AB3FA0', '4dea22b3-1d52-d8f3-2516-782e98ab3fa0'],
    ['-name x', null],
  ];
  for (const [cmd, id] of rows) assert.equal(parse(cmd).id, id, cmd);
});

test('vfio-pci hostdevs: host= in both spellings, sysfsdev=, JSON, and every property the model holds', () => {
  const base = { multifunction: null, romFile: null, romBar: null, primaryVga: false, guestAddress: null };
  const rows: [string, object[]][] = [
    ['-device vfio-pci,host=0000:0b:00.0', [{ ...base, label: 'vfio-pci 0000:0b:00.0', addresses: ['0000:0b:00.0'] }]],
    ['-device vfio-pci,host=0b:00.0', [{ ...base, label: 'vfio-pci 0000:0b:00.0', addresses: ['0000:0b:00.0'] }]],
    ['-device vfio-pci,sysfsdev=/sys/bus/pci/devices/0000:0b:00.1', [{ ...base, label: 'vfio-pci 0000:0b:00.1', addresses: ['0000:0b:00.1'] }]],
    ['-device {"driver":"vfio-pci","host":"0000:0b:00.0","id":"hostdev0","bus":"pci.6","addr":"0x0"}', [{ ...base, label: 'vfio-pci 0000:0b:00.0', addresses: ['0000:0b:00.0'], guestAddress: 'pci.6 00.0' }]],
    ['-device vfio-pci,host=0000:0b:00.0,id=hostpci0.0,bus=ich9-pcie-port-1,addr=0x0.0,multifunction=on,x-vga=on', [{ ...base, label: 'vfio-pci 0000:0b:00.0', addresses: ['0000:0b:00.0'], guestAddress: 'ich9-pcie-port-1 00.0', multifunction: true, primaryVga: true }]],
    ['-device vfio-pci,host=0b:00.0,romfile=/usr/share/kvm/gtx1080.rom,rombar=0', [{ ...base, label: 'vfio-pci 0000:0b:00.0', addresses: ['0000:0b:00.0'], romFile: '/usr/share/kvm/gtx1080.rom', romBar: false }]],
    ['-device vfio-pci,host=0b:00.0,romfile=/roms/a,,b.rom,rombar=1,addr=0x10', [{ ...base, label: 'vfio-pci 0000:0b:00.0', addresses: ['0000:0b:00.0'], romFile: '/roms/a,b.rom', romBar: true, guestAddress: 'default bus 10.0' }]],
    ['-device vfio-pci-nohotplug,host=0000:0c:00.0,multifunction=off', [{ ...base, label: 'vfio-pci 0000:0c:00.0', addresses: ['0000:0c:00.0'], multifunction: false }]],
    // An mdev (vGPU) is no PCI function of the host; a non-vfio device is no assignment.
    ['-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/c2e088d2-9e6c-4ba0-9ca1-3d0b9b0bd6e4 -device virtio-net-pci,addr=0x3', []],
  ];
  for (const [cmd, want] of rows) assert.deepEqual(dev(cmd), want, cmd);
});

test('memory: -m in MiB, with a suffix, as size=, with slots and maxmem; huge pages from mem-path or a backend', () => {
  const rows: [string, number | null, boolean][] = [
    ['-m 8192', 8192 * 1024, false],
    ['-m 8G', 8 * 1024 * 1024, false],
    ['-m 1.5g', 1.5 * 1024 * 1024, false],
    ['-m size=8G,slots=4,maxmem=32G', 8 * 1024 * 1024, false],
    ['-m 8192M -mem-path /dev/hugepages -mem-prealloc', 8192 * 1024, true],
    ['-m 16G -object memory-backend-file,id=mem,size=16G,mem-path=/dev/hugepages,share=on -machine memory-backend=mem', 16 * 1024 * 1024, true],
    ['-m 8192 -object memory-backend-file,id=ram-node0,size=4096M,mem-path=/run/hugepages/kvm/2048kB,share=on,prealloc=yes', 8192 * 1024, true],
    ['-m 4G -object memory-backend-memfd,id=mem,size=4G,hugetlb=on,hugetlbsize=2M', 4 * 1024 * 1024, true],
    ['-m 4G -object {"qom-type":"memory-backend-file","id":"pc.ram","mem-path":"/dev/hugepages/libvirt/qemu/1-win10","size":4294967296}', 4 * 1024 * 1024, true],
    ['-m 4G -object memory-backend-ram,id=ram-node0,size=4G', 4 * 1024 * 1024, false],
    ['-enable-kvm', null, false],
  ];
  for (const [cmd, kib, huge] of rows) assert.deepEqual([parse(cmd).memoryKiB, parse(cmd).hugepages], [kib, huge], cmd);
  assert.equal(qemuSizeKiB('4096', 'b'), 4);
  assert.equal(qemuSizeKiB('lots', 'm'), null);
});

test('machine type, firmware, KVM hiding, Hyper-V vendor id and the virtual IOMMU', () => {
  const rows: [string, string, Partial<ParsedQemuCommand>][] = [
    ['-machine type=q35', 'qemu-system-x86_64', { machine: 'q35', firmware: 'bios' }],
    ['-M pc', 'qemu-system-x86_64', { machine: 'pc' }],
    ['-machine q35,accel=kvm -machine kernel_irqchip=on', 'qemu-system-x86_64', { machine: 'q35' }],
    ["-machine hpet=off,type=pc-q35-8.1+pve0", '/usr/bin/kvm', { machine: 'pc-q35-8.1+pve0' }],
    ['-bios /usr/share/ovmf/OVMF.fd', 'qemu-system-x86_64', { firmware: 'uefi' }],
    ['-bios /usr/share/seabios/bios-256k.bin', 'qemu-system-x86_64', { firmware: 'bios' }],
    ['-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd', 'qemu-system-x86_64', { firmware: 'uefi' }],
    ['-blockdev {"driver":"file","filename":"/usr/share/edk2/ovmf/OVMF_CODE.fd","node-name":"libvirt-pflash0-storage"}', 'qemu-system-x86_64', { firmware: 'uefi' }],
    ['-machine pflash0=pflash0,type=q35+pve0', '/usr/bin/kvm', { firmware: 'uefi', machine: 'q35+pve0' }],
    ['-m 1G', 'qemu-system-aarch64', { firmware: null }],
    ['-cpu host,kvm=off,hv_vendor_id=1234567890ab', 'qemu-system-x86_64', { kvmHidden: true, hypervVendorId: '1234567890ab' }],
    ['-cpu host,migratable=on,hv-vendor-id=whatever,kvm=on', 'qemu-system-x86_64', { kvmHidden: false, hypervVendorId: 'whatever' }],
    ['-cpu host,-kvm', 'qemu-system-x86_64', { kvmHidden: true, hypervVendorId: null }],
    ['-cpu host,+kvm_pv_eoi', 'qemu-system-x86_64', { kvmHidden: null }],
    ['-device intel-iommu,intremap=on,caching-mode=on', 'qemu-system-x86_64', { viommu: 'intel' }],
    ['-device virtio-iommu-pci', 'qemu-system-x86_64', { viommu: 'virtio' }],
    ['-m 1G', 'qemu-system-x86_64', { viommu: null, kvmHidden: null, hypervVendorId: null, machine: null }],
  ];
  for (const [cmd, bin, want] of rows) {
    const p = parse(cmd, bin);
    assert.deepEqual(Object.fromEntries(Object.keys(want).map((k) => [k, p[k as keyof ParsedQemuCommand]])), want, `${bin} ${cmd}`);
  }
});

test('options without an argument do not swallow the next option; positional arguments are passed over', () => {
  const p = parse('-enable-kvm -nodefaults -daemonize disk.img -S -m 2G -no-shutdown -device vfio-pci,host=01:00.0');
  assert.deepEqual([p.memoryKiB, p.devices.map((d) => d.addresses[0])], [2 * 1024 * 1024, ['0000:01:00.0']]);
});

test('QEMU option lists: ",," is a comma, a bare key is on, the implied key takes the first value, JSON flattens', () => {
  assert.deepEqual(qemuOptions('vfio-pci,host=01:00.0,x-vga', 'driver'), { driver: 'vfio-pci', host: '01:00.0', 'x-vga': 'on' });
  assert.deepEqual(qemuOptions('file=/a,,b,if=pflash', null), { file: '/a,b', if: 'pflash' });
  assert.deepEqual(qemuOptions('{"driver":"raw","file":{"driver":"file","filename":"/x.fd"},"read-only":true}', null), { driver: 'raw', 'file.driver': 'file', 'file.filename': '/x.fd', 'read-only': 'on' });
  assert.deepEqual(qemuOptions('{not json', null), {});
});

test('/proc/PID/cmdline: NUL-separated and NUL-ended, an empty argument kept', () => {
  assert.deepEqual(cmdlineArgs(Buffer.from('qemu-system-x86_64\0-name\0a b\0\0-m\0')).map((a) => a.text), ['qemu-system-x86_64', '-name', 'a b', '', '-m']);
});

test('shell words: quotes, backslash continuations, redirections and the end of the command', () => {
  const rows: [string, string[]][] = [
    ["kvm -name 'win11,debug-threads=on' -cpu host", ['kvm', '-name', 'win11,debug-threads=on', '-cpu', 'host']],
    ['qemu -name "my vm" -append "a \\"b\\" \\$c"', ['qemu', '-name', 'my vm', '-append', 'a "b" $c']],
    ['qemu \\\n  -m 8G \\\n  -enable-kvm', ['qemu', '-m', '8G', '-enable-kvm']],
    ["qemu a\\ b 'x'\"y\"z", ['qemu', 'a b', 'xyz']],
    ['qemu -m 1G 2>&1 > /tmp/log < /dev/null | tee x', ['qemu', '-m', '1G']],
    ['qemu -m 1G & echo started', ['qemu', '-m', '1G']],
    ['qemu -m 1G # comment', ['qemu', '-m', '1G']],
    ['qemu -m 1G\nsecond line', ['qemu', '-m', '1G']],
  ];
  for (const [line, words] of rows) assert.deepEqual(shellWords(line).map((w) => w.text), words, line);
  assert.deepEqual(shellWords("a \\\n 'b'").map((w) => w.offset), [0, 5]);
});

function vm(manager: VmDefinition['manager'], name: string, id: string | null, addresses: string[][]): VmDefinition {
  return {
    manager, name, id, file: 'f', line: null, memoryKiB: null, hugepages: false, hardLimitKiB: null, lockedMemory: false, viommu: null, machine: null, firmware: null,
    kvmHidden: null, hypervVendorId: null, autostart: null, session: false, runAs: null,
    devices: addresses.map((a, i) => ({ label: `d${i}`, addresses: a, mapping: null, managed: null, romBar: null, romFile: null, romFileFound: null, guestAddress: null, multifunction: null, primaryVga: false, pcie: null, where: 'f', line: null })),
  };
}

test('a running QEMU is left out when a libvirt or Proxmox definition describes it: name, id, or the same functions', () => {
  const proc = vm('qemu', 'win10', '4dea22b3-1d52-d8f3-2516-782e98ab3fa0', [['0000:0b:00.0'], ['0000:0b:00.1']]);
  assert.ok(describes(vm('libvirt', 'win10', 'other', []), proc), 'same name');
  assert.ok(describes(vm('libvirt', 'other', '4dea22b3-1d52-d8f3-2516-782e98ab3fa0', []), proc), 'same uuid');
  assert.ok(describes(vm('proxmox', 'gaming', '100', [['0000:0b:00']]), proc), 'a slot covering both functions');
  assert.ok(!describes(vm('proxmox', 'gaming', '100', [['0000:0b:00.0']]), proc), 'one function of two is another VM');
  assert.ok(!describes(vm('libvirt', 'other', null, []), proc));
  assert.ok(!describes(vm('qemu', 'win10', null, []), proc), 'a process does not describe a process');
  const kept = withoutDescribedProcesses([vm('libvirt', 'win10', null, [['0000:0b:00.0']]), proc, vm('qemu', 'scratch', null, [['0000:0c:00.0']]), vm('qemu', 'scratch', null, [['0000:0c:00.0']])]);
  assert.deepEqual(kept.map((v) => `${v.manager} ${v.name}`), ['libvirt win10', 'qemu scratch']);
});
