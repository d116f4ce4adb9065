import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { buildHost, type HostSpec } from '../fixtures/host-builder.js';
import { variant } from '../helpers/scenario.js';
import { HOSTS } from '../fixtures/hosts.js';
import { collectSnapshot } from '../../src/collect/collect.js';
import type { HypervisorInfo } from '../../src/hypervisor/types.js';
import { domainXml } from './fixtures.js';

async function collect(host: HostSpec) {
  const root = await buildHost(host);
  try {
    const snap = await collectSnapshot({ root });
    return { snap, info: snap.hypervisor as HypervisorInfo };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

test('collect under --root: libvirt domains, autostart, identity, nodedevs, memlock settings, QEMU log lines', async () => {
  const { snap, info } = await collect(
    variant(HOSTS.intelDesktop, (h) => {
      h.files = {
        ...h.files,
        '/etc/libvirt/qemu/win10.xml': domainXml({ name: 'win10', hostdevs: [[1, 0, 0], [1, 0, 1]] }),
        '/etc/libvirt/qemu/broken.xml': '<domain type="kvm"><name>broken</name><devices><hostdev',
        '/etc/libvirt/qemu/notes.txt': 'not a domain',
        '/etc/libvirt/qemu/autostart/win10.xml': { symlink: '/etc/libvirt/qemu/win10.xml' },
        '/etc/libvirt/qemu.conf': '#user = "root"\nuser = "+64055"\ngroup = "kvm"\n',
        '/etc/group': 'root:x:0:\nkvm:x:994:\nlibvirt-qemu:x:64055:libvirt-qemu\n',
        '/etc/systemd/system/libvirtd.service.d/memlock.conf': '[Service]\nLimitMEMLOCK=64M\n',
        '/etc/security/limits.d/90-qemu.conf': '@kvm hard memlock unlimited\n',
        '/var/log/libvirt/qemu/win10.log': [
          '2024-05-01 10:00:00.000+0000: starting up libvirt version: 10.0.0, qemu version: 8.2.2',
          'LC_ALL=C PATH=/usr/bin QEMU_AUDIO_DRV=none /usr/bin/qemu-system-x86_64 -name guest=win10',
          '2024-05-01T10:00:01.123456Z qemu-system-x86_64: -device {"driver":"vfio-pci","host":"0000:01:00.0","id":"hostdev0"}: vfio 0000:01:00.0: group 1 is not viable',
          '2024-05-01 10:00:02.000+0000: shutting down, reason=failed',
          '',
        ].join('\n'),
      };
      h.commands = { ...h.commands, 'virsh-nodedev-list': 'pci_0000_00_00_0\npci_0000_01_00_0\npci_0000_01_00_1\n' };
    }),
  );
  assert.deepEqual(info.vms.map((v) => v.name), ['win10']);
  const vm = info.vms[0]!;
  assert.equal(vm.autostart, true);
  assert.equal(vm.memoryKiB, 16 * 1024 * 1024);
  assert.equal(vm.runAs!.user, '+64055');
  assert.equal(vm.runAs!.uid, 64055);
  assert.equal(vm.runAs!.gid, 994);
  assert.equal(vm.runAs!.dynamicOwnership, true);
  assert.equal(snap.sources['libvirt-domain:broken.xml']?.status, 'error');
  assert.match(snap.sources['libvirt-domain:broken.xml']!.message!, /truncated: <hostdev> opened at line 1/);
  assert.deepEqual(info.libvirtNodedevs, ['pci_0000_00_00_0', 'pci_0000_01_00_0', 'pci_0000_01_00_1']);
  assert.deepEqual(info.memlock.services.map((s) => [s.unit, s.limitKiB]), [['libvirtd.service', 65536]]);
  assert.deepEqual(info.memlock.limitsConf.map((s) => [s.domain, s.limitKiB]), [['@kvm', null]]);
  const msg = snap.toolMessages.filter((m) => m.source === '/var/log/libvirt/qemu/win10.log');
  assert.deepEqual(msg.map((m) => [m.tool, m.line]), [['qemu', 3]]);
  assert.match(msg[0]!.text, /group 1 is not viable/);
});

test('collect: a domain file that is not XML is recorded as an error; the others are still read', async () => {
  const { snap, info } = await collect(
    variant(HOSTS.intelDesktop, (h) => {
      h.files = { ...h.files, '/etc/libvirt/qemu/a.xml': 'garbage without tags', '/etc/libvirt/qemu/b.xml': domainXml({ name: 'b', hostdevs: [[1, 0, 0]] }) };
    }),
  );
  assert.equal(snap.sources['libvirt-domain:a.xml']?.status, 'error');
  assert.deepEqual(info.vms.map((v) => v.name), ['b']);
});

test('collect under --root: Proxmox VMs of this node (not of other nodes), mappings, QEMU as root', async () => {
  const { info } = await collect(
    variant(HOSTS.amdWorkstation, (h) => {
      h.files = {
        ...h.files,
        '/etc/pve/nodes/pve2/qemu-server/200.conf': 'hostpci0: 0000:41:00.0\nmemory: 4096\n',
        '/etc/pve/mapping/pci.cfg': 'gpu\n\tmap id=10de:2206,iommugroup=23,node=pve,path=0000:0b:00.0,subsystem-id=1462:3892\n',
      };
    }),
  );
  assert.equal(info.node, 'pve');
  assert.deepEqual(info.vms.map((v) => [v.manager, v.id, v.name]), [['proxmox', '100', 'win11']]);
  const vm = info.vms[0]!;
  assert.equal(vm.memoryKiB, 32768 * 1024);
  assert.equal(vm.runAs!.uid, 0);
  assert.deepEqual(vm.devices.map((d) => d.addresses), [['0000:0b:00'], ['0000:0c:00.0'], ['0000:0e:00.3']]);
  assert.equal(info.pveMappings?.[0]?.entries[0]?.iommuGroup, 23);
});
