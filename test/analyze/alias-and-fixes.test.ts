import test from 'node:test';
import assert from 'node:assert/strict';
import { indexAliases, matchModaliases, modulesForModalias } from '../../src/modules/alias-match.js';
import { kernelArgCommands } from '../../src/analyze/fixes/kernel-args.js';
import type { Snapshot } from '../../src/snapshot/types.js';

test('modules.alias: fnmatch patterns matched against a modalias, vendor-indexed', () => {
  const aliases = [
    'alias pci:v000010DEd*sv*sd*bc03sc*i* nouveau',
    'alias pci:v000010DEd00001E87sv*sd*bc*sc*i* nvidia',
    'alias pci:v*d*sv*sd*bc0Csc03i30* xhci_pci',
    'alias pci:v00008086d00001572sv*sd*bc*sc*i* i40e',
    'alias usb:v*p*d*dc*dsc*dp*ic09isc*ip*in* hub',
  ].join('\n');
  const m = matchModaliases(aliases, ['pci:v000010DEd00001E87sv00001462sd00003771bc03sc00i00', 'pci:v00001022d000015B6sv*sd*bc0Csc03i30']);
  assert.deepEqual(m['pci:v000010DEd00001E87sv00001462sd00003771bc03sc00i00'], ['nouveau', 'nvidia']);
  assert.deepEqual(m['pci:v00001022d000015B6sv*sd*bc0Csc03i30'], ['xhci_pci']);
});

test('modules.alias: device, vendor and wildcard patterns come back in file order, each module once', () => {
  const aliases = [
    'alias pci:v*d*sv*sd*bc03sc*i* vgaarb_like',
    'alias pci:v000010DEd00001E87sv*sd*bc*sc*i* nvidia',
    'alias pci:v000010DEd*sv*sd*bc03sc*i* nouveau',
    'alias pci:v000010DEd00001E87sv00001462sd*bc*sc*i* nvidia',
    'alias pci:v000010DEd00001E8*sv*sd*bc*sc*i* partial_device',
    'alias pci:v*d00001E87sv*sd*bc*sc*i* any_vendor',
    'alias pci:v000010DEd00001E88sv*sd*bc*sc*i* other_device',
  ].join('\n');
  const gpu = 'pci:v000010DEd00001E87sv00001462sd00003771bc03sc00i00';
  assert.deepEqual(matchModaliases(aliases, [gpu])[gpu], ['vgaarb_like', 'nvidia', 'nouveau', 'partial_device', 'any_vendor']);
});

// matchModaliases indexes only the patterns the asked vendors can match: what it answers must be what the
// index of the whole file answers, whatever the mix of vendors, wildcards, cases and line layout.
test('modules.alias: indexing only the asked vendors answers as the whole file does', () => {
  const aliases = [
    '# Aliases extracted from modules themselves.',
    'alias pci:v*d*sv*sd*bc03sc*i* vgaarb_like',
    'alias pci:v00008086d00001572sv*sd*bc*sc*i* i40e',
    'alias pci:v000010ded00001E87sv*sd*bc*sc*i* lower_case_vendor',
    'alias pci:v000010DEd*sv*sd*bc03sc*i* nouveau',
    'alias usb:v*p*d*dc*dsc*dp*ic09isc*ip*in* hub',
    'alias pci:v0000144Dd0000A808sv*sd*bc*sc*i* nvme_like',
    'alias pci:v0000*d00001E87sv*sd*bc*sc*i* partial_vendor',
    'alias pci:v000010DEd00001E87sv*sd*bc*sc*i* nvidia\r',
    'alias  pci:v000010DEd*sv*sd*bc*sc*i* two_spaces',
    'alias pci:v00001022d*sv*sd*bc*sc*i* amd',
    'alias pci:v00001022d000015B6sv*sd*bc0Csc03i30*',
    'alias pci:v000010DEd00001E87sv*sd*bc*sc*i* last_without_newline',
  ].join('\n');
  const cases: string[][] = [
    ['pci:v000010DEd00001E87sv00001462sd00003771bc03sc00i00'],
    ['pci:v00008086d00001572sv00008086sd00000000bc02sc00i00', 'pci:v0000144Dd0000A808sv*sd*bc01sc08i02'],
    ['pci:v00001022d000015B6sv*sd*bc0Csc03i30', 'pci:v*d00001E87sv*sd*bc03sc00i00'],
    ['pci:vWHATEVER', 'pci:v000010DEd00001E87sv00001462sd00003771bc03sc00i00'],
    [],
  ];
  const whole = indexAliases(aliases);
  for (const modaliases of cases) {
    const got = matchModaliases(aliases, modaliases);
    assert.deepEqual(Object.keys(got).sort(), [...new Set(modaliases)].sort());
    for (const m of modaliases) assert.deepEqual(got[m], modulesForModalias(whole, m), m);
  }
  assert.deepEqual(matchModaliases(aliases, [cases[0]![0]!])[cases[0]![0]!], ['vgaarb_like', 'nouveau', 'partial_vendor', 'nvidia', 'last_without_newline']);
});

function snapWith(boot: Partial<Snapshot['boot']>, family: Snapshot['host']['osRelease'] extends infer T ? T : never): Snapshot {
  return {
    host: { osRelease: family },
    boot: { loader: 'unknown', grubDefault: null, kernelCmdline: null, blsEntries: [], proxmoxBootTool: false, tools: { updateGrub: false, grub2Mkconfig: false, grubby: false, kernelstub: false, updateInitramfs: false, dracut: false, mkinitcpio: false }, ...boot },
  } as unknown as Snapshot;
}

test('kernel argument fix: grub on Debian spells the whole new line', () => {
  const s = snapWith({ loader: 'grub', grubDefault: { file: '/etc/default/grub', cmdlineLinux: '', cmdlineLinuxDefault: 'quiet amd_iommu=on' }, tools: { updateGrub: true } as Snapshot['boot']['tools'] }, { id: 'debian', idLike: [], versionId: '12', prettyName: null, family: 'debian' });
  assert.deepEqual(kernelArgCommands(s, { remove: ['amd_iommu'], add: ['iommu=pt'] }), [
    '# in /etc/default/grub, add iommu=pt, remove amd_iommu:',
    'GRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=pt"',
    'update-grub',
    'reboot',
  ]);
});

test('kernel argument fix: Fedora uses grubby, Proxmox systemd-boot edits /etc/kernel/cmdline, Pop!_OS kernelstub', () => {
  const fedora = snapWith({ loader: 'grub' }, { id: 'fedora', idLike: [], versionId: '39', prettyName: null, family: 'fedora' });
  assert.deepEqual(kernelArgCommands(fedora, { add: ['intel_iommu=on'] }), ['grubby --update-kernel=ALL --args="intel_iommu=on"', 'reboot']);
  const pve = snapWith({ loader: 'proxmox-boot-tool', kernelCmdline: 'root=ZFS=rpool/ROOT/pve-1 boot=zfs', proxmoxBootTool: true }, { id: 'debian', idLike: [], versionId: '12', prettyName: null, family: 'proxmox' });
  assert.deepEqual(kernelArgCommands(pve, { add: ['intel_iommu=on'] }).slice(1, 3), ["echo 'root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on' > /etc/kernel/cmdline", 'proxmox-boot-tool refresh']);
  const pop = snapWith({ loader: 'kernelstub', kernelCmdline: 'quiet' }, { id: 'pop', idLike: ['ubuntu', 'debian'], versionId: '22.04', prettyName: null, family: 'debian' });
  assert.deepEqual(kernelArgCommands(pop, { add: ['intel_iommu=on'] }), ['kernelstub -a "intel_iommu=on"', 'reboot']);
});
