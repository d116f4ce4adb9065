import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { runScenarios, variant, type Scenario } from '../helpers/scenario.js';
import { buildHost } from '../fixtures/host-builder.js';
import { collectSnapshot } from '../../src/collect/collect.js';
import { analyze } from '../../src/analyze/analyze.js';
import { HOSTS } from '../fixtures/hosts.js';
import type { HostSpec } from '../fixtures/host-builder.js';
import { domainXml, type DomainOptions } from './fixtures.js';

// One fixture per hypervisor check: libvirt domains on the Intel desktop (GTX 1080 + audio at 01:00.x,
// group 1, on vfio-pci), Proxmox VM 100 on the AMD workstation (its real config from the fixture).
const { intelDesktop, amdWorkstation } = HOSTS;
const PVE_CONF = '/etc/pve/nodes/pve/qemu-server/100.conf';

function withDomains(...domains: DomainOptions[]): HostSpec {
  return variant(intelDesktop, (h) => {
    h.files = { ...h.files };
    for (const d of domains) h.files[`/etc/libvirt/qemu/${d.name}.xml`] = domainXml(d);
  });
}

function withPve(change: (conf: string) => string, files: HostSpec['files'] = {}): HostSpec {
  return variant(amdWorkstation, (h) => {
    h.files = { ...h.files, [PVE_CONF]: change(h.files![PVE_CONF] as string), ...files };
  });
}

const win10: DomainOptions = { name: 'win10', hostdevs: [[1, 0, 0], [1, 0, 1]] };

const scenarios: Scenario[] = [
  { name: 'libvirt domain with the whole GPU: healthy', host: withDomains(win10), expect: { status: 'healthy', notFinds: ['vm-config-mismatch', 'memlock-limit'] } },
  {
    name: 'libvirt hostdev address that no longer exists',
    host: withDomains({ ...win10, hostdevs: [[5, 0, 0]] }),
    expect: { status: 'broken', layer: 'hypervisor', cause: 'vm-config-mismatch', subject: '0000:05:00.0', text: /asks for 0000:05:00\.0, which this host does not have/ },
  },
  {
    name: 'libvirt hostdev address now holding the root-disk NVMe (moved after an update): not made a target',
    host: withDomains({ ...win10, hostdevs: [[2, 0, 0]] }),
    expect: { status: 'broken', layer: 'hypervisor', cause: 'vm-config-mismatch', subject: '0000:02:00.0', text: /root filesystem/, notFinds: ['host-driver-bound'] },
  },
  {
    name: 'libvirt domain takes the GPU without its HDMI audio',
    host: withDomains({ ...win10, hostdevs: [[1, 0, 0]] }),
    expect: { status: 'warning', layer: 'hypervisor', cause: 'vm-config-mismatch', subject: '0000:01:00.0', text: /multifunction='on'/ },
  },
  {
    name: 'libvirt <rom file> that is missing',
    host: withDomains({ ...win10, romFile: '/var/lib/libvirt/vbios/gtx1080.rom' }),
    expect: { status: 'broken', layer: 'hypervisor', cause: 'vm-config-mismatch', text: /gtx1080\.rom for hostdev 0000:01:00\.0, which does not exist/ },
  },
  {
    name: 'libvirt <rom file> that exists: healthy',
    host: variant(withDomains({ ...win10, romFile: '/var/lib/libvirt/vbios/gtx1080.rom' }), (h) => void (h.files!['/var/lib/libvirt/vbios/gtx1080.rom'] = new Uint8Array([0x55, 0xaa]))),
    expect: { status: 'healthy' },
  },
  {
    name: 'two autostarted libvirt domains share the GPU group',
    host: variant(withDomains({ ...win10, hostdevs: [[1, 0, 0]] }, { name: 'linux', uuid: '9a4e0c55-7a5b-4c1e-9f0e-1f2b3c4d5e6f', hostdevs: [[1, 0, 1]] }), (h) => {
      h.files!['/etc/libvirt/qemu/autostart/win10.xml'] = { symlink: '/etc/libvirt/qemu/win10.xml' };
      h.files!['/etc/libvirt/qemu/autostart/linux.xml'] = { symlink: '/etc/libvirt/qemu/linux.xml' };
    }),
    expect: { status: 'broken', layer: 'hypervisor', cause: 'vm-config-mismatch', text: /IOMMU group 1 and both start with the host/, notFinds: ['group-shared'] },
  },
  {
    name: 'two libvirt domains taking turns with the same GPU: no finding',
    host: withDomains(win10, { ...win10, name: 'linux', uuid: '9a4e0c55-7a5b-4c1e-9f0e-1f2b3c4d5e6f' }),
    expect: { status: 'healthy' },
  },
  {
    name: 'libvirt <memtune><hard_limit> below the guest memory',
    host: withDomains({ ...win10, memoryGiB: 16, hardLimitGiB: 4 }),
    expect: { status: 'broken', layer: 'hypervisor', cause: 'memlock-limit', command: /virsh memtune win10 --hard-limit/ },
  },
  {
    name: 'QEMU as libvirt-qemu without dynamic ownership cannot open /dev/vfio/1',
    host: variant(withDomains(win10), (h) => void (h.files!['/etc/libvirt/qemu.conf'] = '# Some examples\n#user = "root"\nuser = "libvirt-qemu"\ngroup = "libvirt-qemu"\ndynamic_ownership = 0\n')),
    expect: { status: 'broken', layer: 'hypervisor', cause: 'vfio-node-permissions', text: /GROUP="libvirt-qemu", MODE="0660"/ },
  },
  {
    name: 'QEMU as libvirt-qemu with dynamic ownership (default): healthy',
    host: variant(withDomains(win10), (h) => void (h.files!['/etc/libvirt/qemu.conf'] = 'user = "libvirt-qemu"\ngroup = "libvirt-qemu"\n')),
    expect: { status: 'healthy' },
  },

  // Proxmox VE
  {
    name: 'Proxmox hostpci address that no longer exists',
    host: withPve((c) => c.replace('hostpci1: 0000:0c:00.0,pcie=1', 'hostpci1: 0000:2f:00.0,pcie=1')),
    expect: { status: 'broken', layer: 'hypervisor', cause: 'vm-config-mismatch', subject: '0000:2f:00.0' },
  },
  {
    name: 'Proxmox hostpci now pointing at the root NVMe',
    host: withPve((c) => c.replace('hostpci1: 0000:0c:00.0,pcie=1', 'hostpci1: 0000:01:00.0,pcie=1')),
    expect: { status: 'broken', layer: 'hypervisor', cause: 'vm-config-mismatch', subject: '0000:01:00.0', notFinds: ['host-driver-bound'] },
  },
  {
    name: 'Proxmox x-vga=1 on a slot that now holds an NVMe drive',
    host: withPve((c) => c.replace('hostpci0: 0000:0b:00,pcie=1,x-vga=1', 'hostpci0: 0000:0c:00,pcie=1,x-vga=1').replace('hostpci1: 0000:0c:00.0,pcie=1\n', '')),
    expect: { status: 'broken', layer: 'hypervisor', cause: 'vm-config-mismatch', subject: '0000:0c:00.0', text: /not a display controller/ },
  },
  {
    name: 'Proxmox romfile missing from /usr/share/kvm',
    host: withPve((c) => c.replace('hostpci0: 0000:0b:00,pcie=1,x-vga=1', 'hostpci0: 0000:0b:00,pcie=1,x-vga=1,romfile=rtx3080.rom')),
    expect: { status: 'broken', layer: 'hypervisor', cause: 'vm-config-mismatch', text: /\/usr\/share\/kvm\/rtx3080\.rom/ },
  },
  {
    name: 'Proxmox mapping whose IOMMU group changed',
    host: withPve((c) => c.replace('hostpci1: 0000:0c:00.0,pcie=1', 'hostpci1: mapping=nvme,pcie=1'), {
      '/etc/pve/mapping/pci.cfg': 'nvme\n\tmap id=15b7:5011,iommugroup=99,node=pve,path=0000:0c:00.0,subsystem-id=15b7:5011\n',
    }),
    expect: { status: 'broken', layer: 'hypervisor', cause: 'vm-config-mismatch', subject: '0000:0c:00.0', text: /refuse to start/ },
  },
  {
    name: 'Proxmox mapping whose device ids changed',
    host: withPve((c) => c.replace('hostpci1: 0000:0c:00.0,pcie=1', 'hostpci1: mapping=nvme,pcie=1'), {
      '/etc/pve/mapping/pci.cfg': 'nvme\n\tmap id=144d:a80a,node=pve,path=0000:0c:00.0\n',
    }),
    expect: { status: 'broken', layer: 'hypervisor', cause: 'vm-config-mismatch', subject: '0000:0c:00.0' },
  },
  {
    name: 'Proxmox mapping with no entry for this node',
    host: withPve((c) => c.replace('hostpci1: 0000:0c:00.0,pcie=1', 'hostpci1: mapping=nvme,pcie=1'), {
      '/etc/pve/mapping/pci.cfg': 'nvme\n\tmap id=15b7:5011,node=pve2,path=0000:0c:00.0\n',
    }),
    expect: { status: 'broken', layer: 'hypervisor', cause: 'vm-config-mismatch', text: /refuse to start/ },
  },
];

runScenarios('hypervisor', scenarios);

// The boot-GPU finding is asserted on its own: whether a host's only display may go to a VM at all is the
// binding layer's judgement, which may decide the verdict before this one.
async function primaryGpuFinding(host: HostSpec) {
  const root = await buildHost(host);
  try {
    const r = analyze(await collectSnapshot({ root }));
    return { r, f: r.findings.find((x) => x.id === 'vm-primary-gpu') };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

test('hypervisor: Proxmox VM 100 takes the boot GPU (x-vga) and no framebuffer holds it: noted only', async () => {
  const { r, f } = await primaryGpuFinding(amdWorkstation);
  assert.equal(f?.severity, 'info');
  assert.equal(f?.layer, 'device');
  assert.equal(f?.subject, '0000:0b:00.0');
  assert.ok(!r.findings.some((x) => x.cause === 'vm-config-mismatch'));
  assert.ok(r.targets.find((t) => t.address === '0000:0b:00.0')?.reasons.includes('hostpci0 of Proxmox VM 100 (win11)'));
});

test('hypervisor: boot GPU assigned while /proc/iomem cannot be read: a warning', async () => {
  const { f } = await primaryGpuFinding(variant(amdWorkstation, (h) => void (h.files = { ...h.files, '/proc/iomem': null })));
  assert.equal(f?.severity, 'warn');
  assert.equal(f?.cause, 'bar-conflict');
  assert.match(f!.decision, /initcall_blacklist=sysfb_init/);
});
