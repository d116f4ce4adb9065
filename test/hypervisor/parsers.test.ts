import test from 'node:test';
import assert from 'node:assert/strict';
import { parseXml, XmlError } from '../../src/hypervisor/xml.js';
import { parseDomainXml } from '../../src/hypervisor/libvirt.js';
import { parsePveMappings, parsePveVmConfig } from '../../src/hypervisor/proxmox.js';
import { parseLimitsConf, parseUnitMemlock, systemdLimitKiB } from '../../src/hypervisor/limits.js';
import { parseQemuConf, resolveIdentity } from '../../src/hypervisor/identity.js';
import { parseAccounts } from '../../src/parse/passwd.js';
import { domainXml } from './fixtures.js';

test('xml: attributes in any order and quoting, comments, CDATA, namespaces, entities', () => {
  const x = parseXml(`<?xml version="1.0"?>
<!-- a comment with <tags> -->
<domain type="kvm" xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>a&amp;b</name>
  <description><![CDATA[<not a tag>]]></description>
  <devices>
    <hostdev type='pci' managed="no" mode='subsystem'><source><address function="0x1" slot='0x00' bus="0x0a" domain='0x0000'/></source></hostdev>
  </devices>
  <qemu:commandline><qemu:arg value='-set'/></qemu:commandline>
</domain>`);
  assert.equal(x.name, 'domain');
  assert.equal(x.children.find((c) => c.name === 'name')!.text, 'a&b');
  assert.equal(x.children.find((c) => c.name === 'description')!.text, '<not a tag>');
  assert.equal(x.children.find((c) => c.name === 'commandline')!.qname, 'qemu:commandline');
  assert.throws(() => parseXml('just text'), XmlError);
  assert.throws(() => parseXml('<domain><devices><hostdev type="pci">'), /truncated: <hostdev> opened at line 1 is never closed/);
});

test('libvirt domain: hostdevs, rom, multifunction, memory units, hard_limit, locked, vIOMMU', () => {
  const d = parseDomainXml(domainXml({ name: 'win10', memoryGiB: 16, hostdevs: [[1, 0, 0], [1, 0, 1]], romFile: '/var/lib/libvirt/vbios/gpu.rom', hardLimitGiB: 4 }), '/etc/libvirt/qemu/win10.xml');
  assert.equal(d.name, 'win10');
  assert.equal(d.memoryKiB, 16 * 1024 * 1024);
  assert.equal(d.hardLimitKiB, 4 * 1024 * 1024);
  assert.deepEqual(d.devices.map((h) => h.addresses[0]), ['0000:01:00.0', '0000:01:00.1']);
  assert.equal(d.devices[0]!.managed, true);
  assert.equal(d.devices[0]!.romFile, '/var/lib/libvirt/vbios/gpu.rom');
  assert.equal(d.devices[0]!.romBar, true);
  assert.equal(d.devices[0]!.multifunction, true);
  assert.equal(d.devices[1]!.multifunction, null);
  assert.equal(d.viommu, null);
  const other = parseDomainXml(`<domain type='kvm'><name>x</name><memory unit='GiB'>8</memory><memoryBacking><locked/></memoryBacking>
    <devices><iommu model='intel'><driver intremap='on'/></iommu>
    <hostdev mode='subsystem' type='usb'><source><vendor id='0x046d'/></source></hostdev>
    <hostdev mode='subsystem' type='pci'><source><address bus='0x3' slot='0x0' function='0x0'/></source><rom bar='off'/></hostdev></devices></domain>`, 'x.xml');
  assert.equal(other.memoryKiB, 8 * 1024 * 1024);
  assert.equal(other.lockedMemory, true);
  assert.equal(other.viommu, 'intel');
  assert.equal(other.devices.length, 1);
  assert.equal(other.devices[0]!.addresses[0], '0000:03:00.0');
  assert.equal(other.devices[0]!.romBar, false);
});

test('proxmox VM config: hostpci forms, options, snapshots ignored', () => {
  const v = parsePveVmConfig(
    ['boot: order=scsi0', 'hostpci0: 0000:0b:00,pcie=1,x-vga=1', 'hostpci1: 01:00.0;01:00.1,rombar=0', 'hostpci2: mapping=gpu,pcie=1', 'hostpci3: host=02:00.0,romfile=vbios.bin', 'memory: 16384', 'name: win11', 'onboot: 1', '', '[before-update]', 'hostpci0: 0000:05:00.0', 'memory: 4096'].join('\n'),
    '100',
    '/etc/pve/qemu-server/100.conf',
  );
  assert.equal(v.name, 'win11');
  assert.equal(v.memoryMiB, 16384);
  assert.equal(v.onboot, true);
  assert.deepEqual(v.devices.map((d) => d.addresses), [['0000:0b:00'], ['0000:01:00.0', '0000:01:00.1'], [], ['0000:02:00.0']]);
  assert.equal(v.devices[0]!.primaryVga, true);
  assert.equal(v.devices[0]!.pcie, true);
  assert.equal(v.devices[1]!.romBar, false);
  assert.equal(v.devices[2]!.mapping, 'gpu');
  assert.equal(v.devices[3]!.romFile, '/usr/share/kvm/vbios.bin');
  assert.equal(v.devices[3]!.line, 5);
});

test('proxmox pci.cfg mappings', () => {
  const m = parsePveMappings('gpu\n\tmap id=10de:2206,iommugroup=23,node=pve,path=0000:0b:00.0,subsystem-id=1462:3892\n\tmap id=10de:2206,iommugroup=40,node=pve2,path=0000:41:00.0\n\nnic\n\tdescription X710 VF\n\tmap id=8086:154c,node=pve,path=0000:18:02.0;0000:18:02.1\n', '/etc/pve/mapping/pci.cfg');
  assert.deepEqual(m.map((x) => x.name), ['gpu', 'nic']);
  assert.deepEqual(m[0]!.entries[0], { node: 'pve', paths: ['0000:0b:00.0'], id: '10de:2206', subsystemId: '1462:3892', iommuGroup: 23, line: 2 });
  assert.deepEqual(m[1]!.entries[0]!.paths, ['0000:18:02.0', '0000:18:02.1']);
});

test('memlock limits: systemd values and limits.conf', () => {
  assert.equal(systemdLimitKiB('infinity'), null);
  assert.equal(systemdLimitKiB('64M'), 65536);
  assert.equal(systemdLimitKiB('8388608'), 8192);
  assert.equal(systemdLimitKiB('1G:2G'), 1048576);
  assert.deepEqual(parseUnitMemlock('[Service]\nLimitMEMLOCK=\nLimitMEMLOCK=infinity\n', 'x').map((s) => s.limitKiB), [null]);
  const l = parseLimitsConf('# comment\n@kvm hard memlock 1048576\n*    soft    memlock    unlimited\nalice - nofile 4096\n', 'limits.conf');
  assert.deepEqual(l.map((x) => [x.domain, x.type, x.limitKiB]), [['@kvm', 'hard', 1048576], ['*', 'soft', null]]);
});

test('qemu identity from qemu.conf and passwd/group', () => {
  const acc = parseAccounts('root:x:0:0::/root:/bin/bash\nlibvirt-qemu:x:64055:994::/var/lib/libvirt:/usr/sbin/nologin\n', 'root:x:0:\nkvm:x:994:\nlibvirt:x:134:alice\nvfio:x:2000:libvirt-qemu\n');
  const conf = parseQemuConf('#user = "root"\nuser = "libvirt-qemu"\ngroup = "kvm"\ndynamic_ownership = 0\n');
  assert.equal(conf['user']!.value, 'libvirt-qemu');
  assert.equal(conf['dynamic_ownership']!.value, '0');
  const id = resolveIdentity(acc, 'libvirt-qemu', 'kvm', 'qemu.conf', false);
  assert.deepEqual([id.uid, id.gid, id.gids], [64055, 994, [994, 2000]]);
});

test('libvirt domain: only <devices><hostdev> sources count, not guest addresses of other devices or qemu:commandline', () => {
  const d = parseDomainXml(
    `<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>gamingvm</name>
  <memory unit='KiB'>16777216</memory>
  <devices>
    <controller type='pci' index='1' model='pcie-root-port'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0' multifunction='on'/>
    </controller>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source>
        <address domain='0x0000' bus='0x06' slot='0x00' function='0x0'/>
      </source>
      <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>
    </hostdev>
    <hostdev mode='subsystem' type='pci' managed='no'>
      <driver name='vfio'/>
      <source writeFiltering='no'>
        <address domain='0x0000' bus='0x06' slot='0x00' function='0x1'/>
      </source>
    </hostdev>
    <memballoon model='virtio'>
      <address type='pci' domain='0x0000' bus='0x06' slot='0x00' function='0x0'/>
    </memballoon>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-object'/>
    <qemu:arg value='input-linux,id=kbd1,evdev=/dev/input/by-id/kbd,grab_all=on,repeat=on'/>
  </qemu:commandline>
</domain>`,
    'gamingvm.xml',
  );
  assert.deepEqual(d.devices.map((h) => [h.addresses[0], h.managed, h.line]), [['0000:06:00.0', true, 8], ['0000:06:00.1', false, 14]]);
  assert.equal(d.memoryKiB, 16777216);
});
