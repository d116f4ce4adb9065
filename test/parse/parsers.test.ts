import test from 'node:test';
import assert from 'node:assert/strict';
import { parseCmdline } from '../../src/parse/cmdline.js';
import { parseModprobeConf, parseModulesLoad, parseSoftdep, parseModuleOptions } from '../../src/parse/modprobe-conf.js';
import { parseIomem, pciIomem } from '../../src/parse/iomem.js';
import { parseInterrupts } from '../../src/parse/interrupts.js';
import { parseOsRelease } from '../../src/parse/os-release.js';
import { parseCpuinfo } from '../../src/parse/cpuinfo.js';
import { parseProcModules } from '../../src/parse/proc-modules.js';
import { parseLockdown, parseEfiBoolVar } from '../../src/parse/security.js';
import { parseKernelConfig } from '../../src/parse/kernel-config.js';
import { parseDracutConf, parseMkinitcpioConf } from '../../src/parse/initramfs-config.js';

test('cmdline: IOMMU options recognised, quotes kept together, hyphen and underscore alike', () => {
  const c = parseCmdline('BOOT_IMAGE=/boot/vmlinuz-6.8.0-48-generic root="LABEL=my disk" ro quiet intel_iommu=on,igfx_off iommu=pt vfio-pci.ids=10de:1e87,10de:10f8 pcie_acs_override=downstream,multifunction initcall_blacklist=sysfb_init video=efifb:off modprobe.blacklist=nouveau,nvidia rd.driver.pre=vfio-pci vfio_iommu_type1.allow_unsafe_interrupts=1 vfio.enable_unsafe_noiommu_mode=1\n');
  assert.equal(c.tokens.find((t) => t.key === 'root')?.value, 'LABEL=my disk');
  assert.deepEqual(c.iommu.intelIommu, ['on', 'igfx_off']);
  assert.equal(c.iommu.iommu, 'pt');
  assert.deepEqual(c.iommu.vfioPciIds, ['10de:1e87', '10de:10f8']);
  assert.equal(c.iommu.pcieAcsOverride, 'downstream,multifunction');
  assert.deepEqual(c.iommu.initcallBlacklist, ['sysfb_init']);
  assert.deepEqual(c.iommu.video, ['efifb:off']);
  assert.deepEqual(c.iommu.modprobeBlacklist, ['nouveau', 'nvidia']);
  assert.deepEqual(c.iommu.rdDriverPre, ['vfio-pci']);
  assert.equal(c.iommu.allowUnsafeInterrupts, '1');
  assert.deepEqual(c.iommu.other, ['vfio.enable_unsafe_noiommu_mode=1']);
  assert.equal(c.iommu.amdIommu, null);
  assert.equal(parseCmdline('vfio_pci.ids=8086:1572').iommu.vfioPciIds?.[0], '8086:1572');
});

test('modprobe.d: every command kind with file:line, continuation lines, comments', () => {
  const text = '# vfio\noptions vfio-pci ids=10de:1e87,10de:10f8 disable_vga=1\nsoftdep nouveau pre: vfio-pci\nblacklist nouveau\ninstall vfio_virqfd /bin/true\nalias pci:v000010DEd*sv*sd*bc03sc*i* vfio-pci\noptions snd-hda-intel \\\n  enable=0\nbogus line here\n';
  const { entries, unknown } = parseModprobeConf(text, '/etc/modprobe.d/vfio.conf');
  assert.deepEqual(entries.map((e) => [e.kind, e.module, e.line]), [
    ['options', 'vfio-pci', 2], ['softdep', 'nouveau', 3], ['blacklist', 'nouveau', 4], ['install', 'vfio_virqfd', 5], ['alias', 'vfio-pci', 6], ['options', 'snd-hda-intel', 7],
  ]);
  assert.equal(entries[5]!.value, 'enable=0');
  assert.deepEqual(unknown, [{ line: 9, text: 'bogus line here' }]);
  assert.deepEqual(parseSoftdep('pre: vfio-pci vfio post: foo'), { pre: ['vfio-pci', 'vfio'], post: ['foo'] });
  assert.deepEqual(parseModuleOptions('ids=10de:1e87,10de:10f8 disable_vga=1 nointxmask'), { ids: '10de:1e87,10de:10f8', disable_vga: '1', nointxmask: '' });
  assert.deepEqual(parseModulesLoad('vfio\n# c\n; c\nvfio_pci arg\n', '/etc/modules', 'boot').map((e) => [e.module, e.line]), [['vfio', 1], ['vfio_pci', 4]]);
});

test('initramfs generator configs: dracut and mkinitcpio module lists', () => {
  assert.deepEqual(parseDracutConf('force_drivers+=" vfio vfio_iommu_type1 vfio_pci vfio_virqfd "\nadd_drivers+="nvme"\n', 'f').map((e) => e.module), ['vfio', 'vfio_iommu_type1', 'vfio_pci', 'vfio_virqfd', 'nvme']);
  assert.deepEqual(parseMkinitcpioConf('MODULES=(vfio_pci vfio vfio_iommu_type1)\nHOOKS=(base)\n', 'f').map((e) => e.module), ['vfio_pci', 'vfio', 'vfio_iommu_type1']);
  assert.deepEqual(parseMkinitcpioConf('MODULES="vfio vfio_pci"\n', 'f').map((e) => e.module), ['vfio', 'vfio_pci']);
});

test('/proc/iomem: nesting kept, entries under PCI devices attributed (case 24)', () => {
  const text = '00000000-00000fff : Reserved\n2800000000-2fffffffff : PCI Bus 0000:c0\n  2800000000-2fffffffff : 0000:c3:00.0\n    2800000000-2801fa3fff : BOOTFB\n      2800000000-2801fa3fff : simpledrm\n';
  const all = parseIomem(text);
  const pci = pciIomem(all);
  assert.deepEqual(pci.map((e) => [e.name, e.depth, e.device]), [['0000:c3:00.0', 1, '0000:c3:00.0'], ['BOOTFB', 2, '0000:c3:00.0'], ['simpledrm', 3, '0000:c3:00.0']]);
});

test('/proc/interrupts: chip names and the IR- prefix', () => {
  const ir = parseInterrupts('           CPU0       CPU1\n  0:         36          0   IR-IO-APIC    2-edge      timer\n 24:          0          0  IR-PCI-MSIX-0000:00:14.0    0-edge      xhci_hcd\nNMI:          0          0   Non-maskable interrupts\n');
  assert.deepEqual(ir, { chips: ['IR-IO-APIC', 'IR-PCI-MSIX-0000:00:14.0'], remapped: true });
  const plain = parseInterrupts('           CPU0\n  0:         36   IO-APIC    2-edge      timer\n 25:          5   PCI-MSI 524288-edge  eth0\n');
  assert.deepEqual(plain, { chips: ['IO-APIC', 'PCI-MSI'], remapped: false });
});

test('os-release family, cpuinfo vendor and flags, /proc/modules, lockdown, efivar, kernel config', () => {
  assert.equal(parseOsRelease('ID=ubuntu\nID_LIKE=debian\nVERSION_ID="22.04"\n').family, 'debian');
  assert.equal(parseOsRelease('ID=debian\n', { proxmox: true }).family, 'proxmox');
  assert.equal(parseOsRelease('ID="rocky"\nID_LIKE="rhel centos fedora"\n').family, 'rhel');
  assert.equal(parseOsRelease('ID=fedora\n').family, 'fedora');
  assert.equal(parseOsRelease('ID=manjaro\nID_LIKE=arch\n').family, 'arch');
  const cpu = parseCpuinfo('processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD Ryzen 9 5950X\nflags\t\t: fpu svm x2apic\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\n');
  assert.deepEqual([cpu.vendor, cpu.svm, cpu.vmx, cpu.x2apic], ['amd', true, false, true]);
  assert.deepEqual(parseProcModules('vfio_pci 16384 0 - Live 0x0000000000000000\nvfio 45056 2 vfio_pci,vfio_iommu_type1, Live 0x0\n').map((m) => [m.name, m.usedBy]), [['vfio_pci', []], ['vfio', ['vfio_pci', 'vfio_iommu_type1']]]);
  assert.equal(parseLockdown('none [integrity] confidentiality\n'), 'integrity');
  assert.equal(parseLockdown(''), null);
  assert.equal(parseEfiBoolVar(Buffer.from([6, 0, 0, 0, 1])), true);
  assert.equal(parseEfiBoolVar(Buffer.from([6, 0, 0, 0, 0])), false);
  assert.equal(parseEfiBoolVar(Buffer.from([6, 0])), null);
  assert.deepEqual(parseKernelConfig('CONFIG_VFIO=m\n# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set\nCONFIG_FOO=y\nCONFIG_DRM_SIMPLEDRM=y\n'), { CONFIG_VFIO: 'm', CONFIG_INTEL_IOMMU_DEFAULT_ON: 'n', CONFIG_DRM_SIMPLEDRM: 'y' });
});
