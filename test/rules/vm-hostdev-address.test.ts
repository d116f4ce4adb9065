// The VM model's addresses against the host's device list: pasted definitions are judged by the same rule
// as collected ones. A device missing from a complete list is its own finding; with no device list (a paste
// of a few lspci lines, or none) it cannot be checked, and no placeholder device is invented.
import { ruleTests } from './helpers.js';
import { vmHostdevAddress } from '../../src/analyze/rules/hypervisor/vm-hostdev-address.js';

const LSPCI = '$ lspci -nn\n00:00.0 Host bridge [0600]: Intel Corporation 8th Gen Core Processor Host Bridge/DRAM Registers [8086:3ec2] (rev 07)\n01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [10de:1e87] (rev a1)\n';
const DOMAIN = (bus: string) =>
  `$ virsh dumpxml win10\n<domain type='kvm'>\n  <name>win10</name>\n  <devices>\n    <hostdev mode='subsystem' type='pci' managed='yes'>\n      <source>\n        <address domain='0x0000' bus='${bus}' slot='0x00' function='0x0'/>\n      </source>\n    </hostdev>\n  </devices>\n</domain>\n`;

ruleTests(vmHostdevAddress, [
  {
    name: 'a hostpci slot missing from a complete lspci',
    paste: `$ qm config 100\nhostpci0: 0000:02:00,pcie=1\nmemory: 8192\nname: vm\n${LSPCI}`,
    finds: [{ cause: 'vm-config-mismatch', severity: 'fail', subject: '0000:02:00.0', text: /^Proxmox VM 100 \(vm\) asks for 0000:02:00\.0, which this host does not have/ }],
  },
  { name: 'the hostpci device is there', paste: `$ qm config 100\nhostpci0: 0000:01:00,pcie=1\nmemory: 8192\nname: vm\n${LSPCI}`, finds: [] },
  {
    name: 'a pasted libvirt hostdev missing from a complete lspci',
    paste: `${DOMAIN('0x0b')}${LSPCI}`,
    finds: [{ cause: 'vm-config-mismatch', severity: 'fail', subject: '0000:0b:00.0', text: /^libvirt domain win10 asks for 0000:0b:00\.0, which this host does not have/ }],
  },
  { name: 'the pasted libvirt hostdev is there', paste: `${DOMAIN('0x01')}${LSPCI}`, finds: [] },
  {
    name: 'no device list at all: not checked, not a finding',
    paste: DOMAIN('0x0b'),
    finds: [],
    cannot: /device list was not read/,
  },
  {
    name: 'a partial lspci (one slot) is no device list either',
    paste: `${DOMAIN('0x0b')}$ lspci -nnk -s 01:00\n01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [10de:1e87] (rev a1)\n\tKernel driver in use: vfio-pci\n`,
    finds: [],
    cannot: /device list was not read/,
  },
]);
