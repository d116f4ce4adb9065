// One VM model whatever the source: the same libvirt XML or Proxmox configuration, collected from a host
// tree or pasted, becomes the same VmDefinition and is judged the same; a sosreport holding a VM both as a
// copied file and as a command's output counts it once; a pasted hostdev never becomes a phantom device.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { HOSTS } from '../fixtures/hosts.js';
import { variant } from '../helpers/scenario.js';
import { domainXml } from './fixtures.js';
import { runCli } from '../helpers/run-cli.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { collected, definitionOnly } from './support/one-model.js';
import { readPaste } from '../../src/paste/read-paste.js';
import { readSos } from '../../src/sos/read-sos.js';
import { analyze } from '../../src/analyze/analyze.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import type { VmDefinition } from '../../src/hypervisor/types.js';
import { parseValidated } from '../helpers/json-output.js';


async function pasted(text: string): Promise<Snapshot> {
  return (await readPaste([{ name: 'paste.txt', bytes: Buffer.from(text) }])).snapshot;
}

/** The hypervisor findings of `snap` when its VMs are `vms` (host context taken from the collected VM). */
function hypervisorFindings(snap: Snapshot, vms: VmDefinition[]): string[] {
  const withHost = vms.map((v) => {
    const c = snap.hypervisor!.vms.find((x) => x.manager === v.manager && x.name === v.name)!;
    return { ...v, runAs: c.runAs, autostart: c.autostart, devices: v.devices.map((a, i) => ({ ...a, romFileFound: c.devices[i]!.romFileFound })) };
  });
  const r = analyze({ ...snap, hypervisor: { ...snap.hypervisor!, vms: withHost } });
  return r.findings.filter((f) => f.layer === 'hypervisor').map((f) => `${f.severity} ${f.id} ${f.subject ?? '-'} ${f.title}`).sort();
}

test('libvirt: the same domain XML collected from /etc/libvirt/qemu and pasted from virsh dumpxml is one VmDefinition, judged alike', async (t) => {
  const xml = domainXml({ name: 'win10', hostdevs: [[1, 0, 0]], romFile: '/var/lib/libvirt/vbios/gtx1080.rom', hardLimitGiB: 4 });
  const spec = variant(HOSTS.intelDesktop, (h) => void (h.files = { ...h.files, '/etc/libvirt/qemu/win10.xml': xml }));
  const host = await collected(spec, t);
  const paste = await pasted(`$ virsh dumpxml win10\n${xml}`);
  const [c] = host.hypervisor!.vms;
  const [p] = paste.hypervisor!.vms;
  assert.ok(c && p && host.hypervisor!.vms.length === 1 && paste.hypervisor!.vms.length === 1);
  assert.deepEqual(definitionOnly(p), definitionOnly(c));
  // The model holds what the XML says beyond the devices.
  assert.deepEqual([c.machine, c.firmware, c.kvmHidden, c.hypervVendorId, c.devices[0]!.guestAddress, c.devices[0]!.romFile], ['pc-q35-8.2', 'uefi', true, '1234567890ab', '0000:06:00.0', '/var/lib/libvirt/vbios/gtx1080.rom']);
  // Line numbers point into each source: the collected file, and the paste (one line of prompt above the XML).
  assert.equal(p.devices[0]!.line, c.devices[0]!.line! + 1);
  assert.equal(p.file, 'paste.txt');
  const a = hypervisorFindings(host, host.hypervisor!.vms);
  assert.ok(a.some((f) => /vm-memlock/.test(f)) && a.some((f) => /vm-romfile/.test(f)), a.join('\n'));
  assert.deepEqual(hypervisorFindings(host, paste.hypervisor!.vms), a);
});

test('Proxmox: the same VM configuration collected from /etc/pve and pasted from qm config is one VmDefinition, judged alike', async (t) => {
  const host = await collected(HOSTS.amdWorkstation, t);
  const conf = (HOSTS.amdWorkstation.files as Record<string, string>)['/etc/pve/nodes/pve/qemu-server/100.conf']!;
  const paste = await pasted(`root@pve:~# qm config 100\n${conf}`);
  const [c] = host.hypervisor!.vms;
  const [p] = paste.hypervisor!.vms;
  assert.ok(c && p && paste.hypervisor!.vms.length === 1);
  assert.deepEqual(definitionOnly(p), definitionOnly(c));
  assert.deepEqual([c.id, c.name, c.machine, c.firmware, c.devices.map((d) => [d.label, d.addresses, d.primaryVga, d.pcie])], [
    '100',
    'win11',
    'pc-q35-8.1',
    'uefi',
    [['hostpci0', ['0000:0b:00'], true, true], ['hostpci1', ['0000:0c:00.0'], false, true], ['hostpci2', ['0000:0e:00.3'], false, true]],
  ]);
  assert.deepEqual(hypervisorFindings(host, paste.hypervisor!.vms), hypervisorFindings(host, host.hypervisor!.vms));
});

test('a sosreport with a VM as a copied file and as a command output counts the VM once', async (t) => {
  const root = path.join(tempDir('one-model', t), 'sosreport-pve');
  const put = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  const xml = domainXml({ name: 'win10', hostdevs: [[0x0b, 0, 0]] });
  put('version.txt', 'sosreport: 4.5.6\n');
  put('sos_commands/pci/lspci_-nnvv', '00:00.0 Host bridge [0600]: Intel Corporation Device [8086:3ec2] (rev 07)\n\n01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [10de:1e87] (rev a1)\n\tKernel driver in use: vfio-pci\n');
  put('etc/libvirt/qemu/win10.xml', xml);
  put('sos_commands/libvirt/virsh_-r_dumpxml_win10', xml);
  put('etc/pve/qemu-server/100.conf', 'hostpci0: 0000:0c:00,pcie=1\nmemory: 8192\nname: win11\n');
  const { snapshot } = await readSos(root);
  assert.deepEqual(snapshot.hypervisor!.vms.map((v) => `${v.manager} ${v.name}`).sort(), ['libvirt win10', 'proxmox win11']);
  const r = await runCli(['check', '--sos', root, '--json']);
  const findings = (parseValidated('report', r.stdout) as { findings: { id: string; subject: string | null; title: string }[] }).findings;
  const keys = findings.map((f) => `${f.id} ${f.subject} ${f.title}`);
  assert.deepEqual(keys, [...new Set(keys)], 'no finding twice');
  assert.ok(keys.some((k) => /libvirt domain win10 asks for 0000:0b:00\.0, which this host does not have/.test(k)), keys.join('\n'));
});

test('analyze: a pasted hostdev missing from a partial lspci is no phantom device and no finding; --vm focuses on one pasted VM', async () => {
  const input = path.join(repoRoot, 'test', 'fixtures', 'snapshots', 'v1-paste-libvirt-proxmox.input.txt');
  const r = await runCli(['analyze', input, '--json']);
  const j = parseValidated('report', r.stdout) as { targets: { address: string }[]; findings: { title: string; subject: string | null }[] };
  assert.doesNotMatch(r.stdout, /ffff/);
  assert.ok(!j.targets.some((x) => x.address === '0000:0b:00.0'), JSON.stringify(j.targets));
  assert.ok(!j.findings.some((f) => f.subject === '0000:0b:00.0'), JSON.stringify(j.findings.map((f) => f.title)));
  const text = await runCli(['analyze', input]);
  assert.doesNotMatch(text.stdout, /\[ffff:ffff\]/);
  // --vm works on pasted VMs as on collected ones: only the Proxmox VM's devices are targets then.
  const focused = await runCli(['analyze', input, '--vm', '100', '--json']);
  const f = parseValidated('report', focused.stdout) as { targets: { address: string; role: string; reasons: string[] }[] };
  assert.deepEqual(f.targets.filter((x) => x.role === 'target').map((x) => [x.address, x.reasons.join('; ')]), [
    ['0000:01:00.0', 'hostpci0 of Proxmox VM 100 (win11)'],
    ['0000:01:00.1', 'hostpci0 of Proxmox VM 100 (win11)'],
  ]);
  const unknown = await runCli(['analyze', input, '--vm', 'nope']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--vm nope: no such VM in the input; VMs found: win10, 100 \(win11\)/);
});
