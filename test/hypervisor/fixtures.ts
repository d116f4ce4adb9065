// VM definitions in the formats libvirt and Proxmox VE write them, for the hypervisor tests.

export interface DomainOptions {
  name: string;
  uuid?: string;
  memoryGiB?: number;
  /** Source addresses as [bus, slot, function]. */
  hostdevs: [number, number, number][];
  romFile?: string;
  hardLimitGiB?: number;
}

const hex = (n: number, w: number) => '0x' + n.toString(16).padStart(w, '0');

/** A domain as virt-manager creates it and libvirt stores it in /etc/libvirt/qemu/<name>.xml. */
export function domainXml(o: DomainOptions): string {
  const mem = (o.memoryGiB ?? 16) * 1024 * 1024;
  const hostdevs = o.hostdevs
    .map(
      ([b, s, f], i) => `    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source>
        <address domain='0x0000' bus='${hex(b, 2)}' slot='${hex(s, 2)}' function='${hex(f, 1)}'/>
      </source>${o.romFile && i === 0 ? `\n      <rom bar='on' file='${o.romFile}'/>` : ''}
      <address type='pci' domain='0x0000' bus='0x06' slot='0x00' function='${hex(i, 1)}'${i === 0 && o.hostdevs.length > 1 ? " multifunction='on'" : ''}/>
    </hostdev>`,
    )
    .join('\n');
  return `<!--
WARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE
OVERWRITTEN AND LOST. Changes to this xml configuration should be made using:
  virsh edit ${o.name}
or other application using the libvirt API.
-->

<domain type='kvm'>
  <name>${o.name}</name>
  <uuid>${o.uuid ?? '4dea22b3-1d52-d8f3-2516-782e98ab3fa0'}</uuid>
  <metadata>
    <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
      <libosinfo:os id="http://microsoft.com/win/10"/>
    </libosinfo:libosinfo>
  </metadata>
  <memory unit='KiB'>${mem}</memory>
  <currentMemory unit='KiB'>${mem}</currentMemory>${o.hardLimitGiB !== undefined ? `\n  <memtune>\n    <hard_limit unit='GiB'>${o.hardLimitGiB}</hard_limit>\n  </memtune>` : ''}
  <vcpu placement='static'>8</vcpu>
  <os firmware='efi'>
    <type arch='x86_64' machine='pc-q35-8.2'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features>
    <acpi/>
    <apic/>
    <hyperv mode='custom'>
      <relaxed state='on'/>
      <vendor_id state='on' value='1234567890ab'/>
    </hyperv>
    <kvm>
      <hidden state='on'/>
    </kvm>
  </features>
  <cpu mode='host-passthrough' check='none' migratable='on'/>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' discard='unmap'/>
      <source file='/var/lib/libvirt/images/${o.name}.qcow2'/>
      <target dev='sda' bus='sata'/>
      <address type='drive' controller='0' bus='0' target='0' unit='0'/>
    </disk>
    <controller type='pci' index='6' model='pcie-root-port'>
      <model name='pcie-root-port'/>
      <target chassis='6' port='0x15'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x5'/>
    </controller>
    <interface type='network'>
      <mac address='52:54:00:6b:3c:58'/>
      <source network='default'/>
      <model type='e1000e'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </interface>
${hostdevs}
    <memballoon model='none'/>
  </devices>
</domain>
`;
}
