// QEMU started by hand is a VM like a libvirt domain or a Proxmox VM: its command line, read from
// /proc/PID/cmdline of a host tree or pasted (a ps row, qm showcmd output, a script with continuations),
// becomes the same VmDefinition and is judged the same; a process a manager's definition describes is not
// counted twice.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildHost, type HostSpec } from '../fixtures/host-builder.js';
import { HOSTS } from '../fixtures/hosts.js';
import { fn, variant } from '../helpers/scenario.js';
import { domainXml } from './fixtures.js';
import { runCli } from '../helpers/run-cli.js';
import { collectSnapshot } from '../../src/collect/collect.js';
import { readPaste } from '../../src/paste/read-paste.js';
import { readSos } from '../../src/sos/read-sos.js';
import { analyze } from '../../src/analyze/analyze.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import type { VmDefinition } from '../../src/hypervisor/types.js';
import { parseValidated } from '../helpers/json-output.js';
import { tempDir } from '../helpers/temp.js';
import { collected, definitionOnly } from './support/one-model.js';
import { holdsIpcLock, procMemlockKiB } from '../../src/hypervisor/running-qemu.js';


async function pasted(text: string): Promise<Awaited<ReturnType<typeof readPaste>>> {
  return readPaste([{ name: 'paste.txt', bytes: Buffer.from(text) }]);
}

/** The hypervisor findings of `snap` when its VMs are `vms` (ROM file presence taken from the collected VM). */
function hypervisorFindings(snap: Snapshot, vms: VmDefinition[]): string[] {
  const withHost = vms.map((v) => {
    const c = snap.hypervisor!.vms.find((x) => x.manager === v.manager && x.name === v.name)!;
    return { ...v, devices: v.devices.map((a, i) => ({ ...a, romFileFound: c.devices[i]!.romFileFound })) };
  });
  const r = analyze({ ...snap, hypervisor: { ...snap.hypervisor!, vms: withHost } });
  return r.findings.filter((f) => f.layer === 'hypervisor').map((f) => `${f.severity} ${f.id} ${f.subject ?? '-'} ${f.title}`).sort();
}

// The GPU and its audio function of the Intel desktop (01:00.x, group 1), and a function it does not have.
const ARGV = [
  '/usr/bin/qemu-system-x86_64',
  '-name', 'guest=win10,debug-threads=on',
  '-machine', 'q35,accel=kvm',
  '-cpu', 'host,kvm=off,hv_vendor_id=1234567890ab',
  '-m', '8G',
  '-mem-path', '/dev/hugepages',
  '-drive', 'if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd',
  '-device', 'pcie-root-port,id=rp1,bus=pcie.0,addr=0x1c',
  '-device', 'vfio-pci,host=01:00.0,bus=rp1,addr=0x0.0,multifunction=on,x-vga=on,romfile=/var/lib/vbios/gtx1080.rom',
  '-device', 'vfio-pci,host=0000:01:00.1,bus=rp1,addr=0x0.1',
  '-device', 'vfio-pci,host=05:00.0',
  '-enable-kvm',
];

const withProcess = (argv: string[], change: (h: HostSpec) => void = () => {}) =>
  variant(HOSTS.intelDesktop, (h) => {
    h.processes = [{ pid: 4242, argv, uid: 0 }];
    change(h);
  });

/** The same command line the ways people paste it. */
function pastes(argv: string[]): Record<string, string> {
  const quoted = argv.map((a) => (/^[\w/.:=,+-]+$/.test(a) ? a : `'${a}'`));
  const pairs: string[] = [quoted[0]!];
  for (let i = 1; i < quoted.length; i++) {
    if (quoted[i + 1] !== undefined && !quoted[i + 1]!.startsWith('-')) pairs.push(`  ${quoted[i]} ${quoted[++i]}`);
    else pairs.push(`  ${quoted[i]}`);
  }
  return {
    'ps aux row': `$ ps aux | grep qemu\nroot        4242 12.3  4.0 9123456 812345 ?      Sl   10:00   5:01 ${argv.join(' ')}\nroot        4999  0.0  0.0   6432  2240 pts/0    S+   10:05   0:00 grep --color=auto qemu\n`,
    'ps -ef with its header': `UID          PID    PPID  C STIME TTY          TIME CMD\nroot           1       0  0 09:58 ?        00:00:02 /sbin/init splash\nroot        4242       1 12 10:00 ?        00:05:01 ${argv.join(' ')}\nroot        4300    4242  0 10:00 ?        00:00:00 [kvm-nx-lpage-recovery-4242]\n`,
    'a script with backslash continuations': `root@host:~# ${pairs.join(' \\\n')}\nqemu-system-x86_64: -device vfio-pci,host=05:00.0: vfio 0000:05:00.0: error getting device from group 5: No such device\n`,
    'one shell-quoted line': `${quoted.join(' ')}\n`,
  };
}

test('QEMU: the same command line collected from /proc/PID/cmdline and pasted (ps, script, one line) is one VmDefinition, judged alike', async (t) => {
  const host = await collected(withProcess(ARGV), t);
  const [c] = host.hypervisor!.vms;
  assert.ok(c && host.hypervisor!.vms.length === 1, JSON.stringify(host.hypervisor!.vms.map((v) => v.name)));
  assert.deepEqual([c.manager, c.name, c.file, c.line, c.memoryKiB, c.hugepages, c.machine, c.firmware, c.kvmHidden, c.hypervVendorId], ['qemu', 'win10', '/proc/4242/cmdline', null, 8 * 1024 * 1024, true, 'q35', 'uefi', true, '1234567890ab']);
  assert.deepEqual(c.devices.map((d) => [d.addresses, d.guestAddress, d.multifunction, d.primaryVga, d.romFile, d.romFileFound]), [
    [['0000:01:00.0'], 'rp1 00.0', true, true, '/var/lib/vbios/gtx1080.rom', false],
    [['0000:01:00.1'], 'rp1 00.1', null, false, null, null],
    [['0000:05:00.0'], null, null, false, null, null],
  ]);
  const a = hypervisorFindings(host, host.hypervisor!.vms);
  assert.ok(a.some((f) => /vm-romfile/.test(f)), a.join('\n'));
  assert.ok(a.some((f) => /QEMU VM win10 asks for 0000:05:00\.0, which this host does not have/.test(f)), a.join('\n'));
  for (const [shape, text] of Object.entries(pastes(ARGV))) {
    const r = await pasted(text);
    assert.deepEqual(r.notUnderstood.filter((l) => !/^qemu-system-x86_64: /.test(l.text)), [], shape);
    const vms = r.snapshot.hypervisor?.vms ?? [];
    assert.equal(vms.length, 1, `${shape}: ${JSON.stringify(vms.map((v) => v.name))}`);
    assert.deepEqual(definitionOnly(vms[0]!), definitionOnly(c), shape);
    assert.deepEqual(hypervisorFindings(host, vms), a, shape);
  }
  // Line numbers point into the paste: the script puts each option on its own line below the prompt.
  const script = (await pasted(pastes(ARGV)['a script with backslash continuations']!)).snapshot.hypervisor!.vms[0]!;
  const lines = pastes(ARGV)['a script with backslash continuations']!.split('\n');
  assert.deepEqual([script.file, script.line], ['paste.txt', 1]);
  assert.deepEqual(script.devices.map((d) => lines[d.line! - 1]!.trim().split(' ')[1]!.replace(/,.*/, '')), ['vfio-pci', 'vfio-pci', 'vfio-pci']);
  assert.ok(script.devices.every((d, i) => lines[d.line! - 1]!.includes(['01:00.0', '0000:01:00.1', '05:00.0'][i]!)));
});

test('QEMU: a running QEMU whose device is on a host driver gets the same finding as a libvirt domain with it', async (t) => {
  const onHostDrivers = (h: HostSpec) => {
    h.modprobe = {};
    fn(h, '01.0/00.0').driver = 'nouveau';
    fn(h, '01.0/00.1').driver = 'snd_hda_intel';
  };
  const argv = ['qemu-system-x86_64', '-enable-kvm', '-name', 'win10', '-m', '8192', '-device', 'vfio-pci,host=01:00.0,multifunction=on', '-device', 'vfio-pci,host=01:00.1'];
  const qemuRoot = await buildHost(withProcess(argv, onHostDrivers), path.join(tempDir('qemu-model', t), 'qemu'));
  const libvirtRoot = await buildHost(variant(HOSTS.intelDesktop, (h) => {
    onHostDrivers(h);
    h.files = { ...h.files, '/etc/libvirt/qemu/win10.xml': domainXml({ name: 'win10', hostdevs: [[1, 0, 0], [1, 0, 1]] }) };
  }), path.join(tempDir('qemu-model', t), 'libvirt'));
  const decisive = (snap: Snapshot) => {
    const r = analyze(snap);
    return { verdict: [r.verdict.status, r.verdict.layer, r.verdict.cause], bound: r.findings.filter((f) => f.cause === 'host-driver-bound').map((f) => [f.layer, f.subject, f.severity]) };
  };
  const q = decisive(await collectSnapshot({ root: qemuRoot }));
  assert.deepEqual(q.verdict, ['broken', 'binding', 'host-driver-bound']);
  assert.deepEqual(q, decisive(await collectSnapshot({ root: libvirtRoot })));
  // --vm selects the QEMU VM by its -name, on the command line as for libvirt domains.
  const r = await runCli(['check', '--root', qemuRoot, '--vm', 'win10', '--json']);
  const j = parseValidated('report', r.stdout) as { verdict: { cause: string }; targets: { address: string; reasons: string[] }[] };
  assert.equal(j.verdict.cause, 'host-driver-bound');
  assert.deepEqual(j.targets.filter((x) => x.reasons.some((s) => /QEMU VM win10/.test(s))).map((x) => x.address), ['0000:01:00.0', '0000:01:00.1']);
  const unknown = await runCli(['check', '--root', qemuRoot, '--vm', 'nope']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--vm nope: no such VM.*win10/);
});

test('QEMU: a process that a libvirt domain or a Proxmox VM describes is counted once, as the definition', async (t) => {
  const libvirtArgv = ['/usr/bin/qemu-system-x86_64', '-name', 'guest=win10,debug-threads=on', '-uuid', '4dea22b3-1d52-d8f3-2516-782e98ab3fa0', '-device', '{"driver":"vfio-pci","host":"0000:01:00.0","id":"hostdev0","bus":"pci.6","addr":"0x0"}'];
  const lv = await collected(withProcess(libvirtArgv, (h) => void (h.files = { ...h.files, '/etc/libvirt/qemu/win10.xml': domainXml({ name: 'win10', hostdevs: [[1, 0, 0]] }) })), t);
  assert.deepEqual(lv.hypervisor!.vms.map((v) => `${v.manager} ${v.name}`), ['libvirt win10']);
  assert.equal(lv.sources['qemu-process:4242']?.status, 'read');
  // Proxmox names the process after the VM and passes the VMID; its hostpci slot is both functions.
  const pveArgv = ['/usr/bin/kvm', '-id', '100', '-name', 'win11,debug-threads=on', '-device', 'vfio-pci,host=0000:0b:00.0,id=hostpci0.0,bus=ich9-pcie-port-1,addr=0x0.0,multifunction=on'];
  const pve = await collected(variant(HOSTS.amdWorkstation, (h) => void (h.processes = [{ pid: 5151, argv: pveArgv }])), t);
  assert.deepEqual(pve.hypervisor!.vms.map((v) => `${v.manager} ${v.name}`), ['proxmox win11']);
  // A QEMU nobody defines is a VM of its own.
  const own = await collected(variant(HOSTS.amdWorkstation, (h) => void (h.processes = [{ pid: 5151, argv: pveArgv.map((a) => a.replace('-id', '-no-shutdown').replace('100', '-nodefaults').replace('win11,', 'scratch,')) }])), t);
  assert.deepEqual(own.hypervisor!.vms.map((v) => `${v.manager} ${v.name}`).sort(), ['proxmox win11', 'qemu scratch']);
});

test('QEMU: qm showcmd output, one line and --pretty, is the Proxmox VM as QEMU runs it', async () => {
  const args = [
    '/usr/bin/kvm', '-id', '100', '-name', "'win11,debug-threads=on'", '-no-shutdown', '-pidfile', '/var/run/qemu-server/100.pid', '-daemonize',
    '-drive', "'if=pflash,unit=0,format=raw,readonly=on,file=/usr/share/pve-edk2-firmware//OVMF_CODE_4M.secboot.fd'",
    '-cpu', "'host,hv_ipi,hv_relaxed,hv_vendor_id=proxmox,kvm=off'", '-m', '16384',
    '-object', "'memory-backend-file,id=ram-node0,size=16384M,mem-path=/run/hugepages/kvm/1048576kB,share=on,prealloc=yes'",
    '-device', "'vfio-pci,host=0000:0b:00.0,id=hostpci0.0,bus=ich9-pcie-port-1,addr=0x0.0,multifunction=on,x-vga=on'",
    '-device', "'vfio-pci,host=0000:0b:00.1,id=hostpci0.1,bus=ich9-pcie-port-1,addr=0x0.1'",
    '-machine', "'type=pc-q35-8.1+pve0'",
  ];
  const oneLine = `root@pve:~# qm showcmd 100\n${args.join(' ')}\n`;
  // --pretty: " -" becomes " \" + newline + "  -".
  const pretty = `root@pve:~# qm showcmd 100 --pretty\n${args.join(' ').replace(/ -/g, ' \\\n  -')}\n`;
  const seen: unknown[] = [];
  for (const text of [oneLine, pretty]) {
    const r = await pasted(text);
    assert.deepEqual(r.notUnderstood, []);
    const [v] = r.snapshot.hypervisor!.vms;
    assert.ok(v && r.snapshot.hypervisor!.vms.length === 1);
    assert.deepEqual([v.manager, v.name, v.id, v.memoryKiB, v.hugepages, v.machine, v.firmware, v.kvmHidden, v.hypervVendorId], ['qemu', 'win11', '100', 16384 * 1024, true, 'pc-q35-8.1+pve0', 'uefi', true, 'proxmox']);
    assert.deepEqual(v.devices.map((d) => [d.addresses[0], d.multifunction, d.primaryVga]), [['0000:0b:00.0', true, true], ['0000:0b:00.1', null, false]]);
    seen.push(definitionOnly(v));
  }
  assert.deepEqual(seen[1], seen[0]);
  const pr = (await pasted(pretty)).snapshot.hypervisor!.vms[0]!;
  // Line 1 is the prompt, 2 the emulator alone, then one option a line.
  assert.deepEqual(pr.devices.map((d) => d.line), [12, 13]);
});

test('QEMU: the ps output of a sosreport carries running QEMUs into the snapshot, a described one once', async (t) => {
  const root = path.join(tempDir('qemu-model', t), 'sosreport-qemu');
  const put = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  const header = 'USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND';
  const row = (pid: number, args: string) => `root     ${String(pid).padStart(7)}  9.1  4.2 9123456 812345 ?      Sl   10:00   5:01 ${args}`;
  put('version.txt', 'sosreport: 4.5.6\n');
  put('sos_commands/pci/lspci_-nnvv', '00:00.0 Host bridge [0600]: Intel Corporation Device [8086:3ec2] (rev 07)\n\n0b:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [10de:1e87] (rev a1)\n\tKernel driver in use: vfio-pci\n');
  put('sos_commands/process/ps_auxwww', [
    header,
    row(1, '/sbin/init'),
    row(4242, '/usr/bin/qemu-system-x86_64 -name guest=win10,debug-threads=on -m 8192 -device {"driver":"vfio-pci","host":"0000:0b:00.0","id":"hostdev0"}'),
    row(4343, 'qemu-system-x86_64 -enable-kvm -name scratch -m 2G -device vfio-pci,host=0c:00.0'),
    '',
  ].join('\n'));
  put('etc/libvirt/qemu/win10.xml', domainXml({ name: 'win10', hostdevs: [[0x0b, 0, 0]] }));
  const { snapshot, notUnderstood } = await readSos(root);
  assert.deepEqual(notUnderstood.filter((l) => l.file.includes('ps_auxwww')), []);
  assert.deepEqual(snapshot.hypervisor!.vms.map((v) => `${v.manager} ${v.name} ${v.file}:${v.line}`).sort(), ['libvirt win10 /etc/libvirt/qemu/win10.xml:null', 'qemu scratch sos_commands/process/ps_auxwww:4']);
  const r = await runCli(['check', '--sos', root, '--json']);
  const titles = (parseValidated('report', r.stdout) as { findings: { title: string }[] }).findings.map((f) => f.title);
  assert.ok(titles.some((x) => /QEMU VM scratch asks for 0000:0c:00\.0, which this host does not have/.test(x)), titles.join('\n'));
});

test('QEMU: the locked-memory limit of a running QEMU without CAP_IPC_LOCK is judged like a libvirt hard_limit', async (t) => {
  const argv = ['qemu-system-x86_64', '-enable-kvm', '-name', 'gaming', '-m', '8G', '-device', 'vfio-pci,host=01:00.0,multifunction=on', '-device', 'vfio-pci,host=01:00.1'];
  const memlock = async (p: { uid: number; memlockBytes?: number | 'unlimited'; ipcLock?: boolean }) => {
    const snap = await collected(variant(HOSTS.intelDesktop, (h) => void (h.processes = [{ pid: 777, argv, ...p }])), t);
    const vm = snap.hypervisor!.vms[0]!;
    const f = analyze(snap).findings.filter((x) => x.id === 'vm-memlock');
    return { limit: vm.hardLimitKiB, findings: f };
  };
  const user = await memlock({ uid: 1000, memlockBytes: 64 * 1024 * 1024 });
  assert.equal(user.limit, 64 * 1024);
  assert.equal(user.findings.length, 1);
  const f = user.findings[0]!;
  assert.equal(f.title, 'QEMU VM gaming caps its locked memory at 64 MiB, less than the 8 GiB VFIO must pin');
  assert.deepEqual(f.evidence.map((e) => [e.source, e.text]), [['/proc/777/cmdline', '-m 8 GiB'], ['/proc/777/limits', 'Max locked memory 64 MiB']]);
  assert.match(f.decision, /CAP_IPC_LOCK/);
  assert.deepEqual(f.commands, ['prlimit --pid 777 --memlock', `prlimit --pid 777 --memlock=${9 * 1024 ** 3}:${9 * 1024 ** 3}`]);
  // Enough, unlimited, or CAP_IPC_LOCK (root): nothing to say.
  for (const p of [{ uid: 1000, memlockBytes: 10 * 1024 ** 3 }, { uid: 1000, memlockBytes: 'unlimited' as const }, { uid: 0, memlockBytes: 64 * 1024 * 1024 }, { uid: 1000, memlockBytes: 65536, ipcLock: true }]) {
    assert.deepEqual((await memlock(p)).findings, [], JSON.stringify(p));
  }
  assert.equal((await memlock({ uid: 0 })).limit, null, 'a QEMU holding CAP_IPC_LOCK is held to no limit');
});

test('QEMU: /proc/PID/limits and the CapEff line, as the kernel prints them', () => {
  const limits = ['Limit                     Soft Limit           Hard Limit           Units     ', 'Max locked memory         8388608              16777216             bytes     ', ''].join('\n');
  assert.equal(procMemlockKiB(limits), 8192);
  assert.equal(procMemlockKiB(limits.replace('8388608 ', 'unlimited')), null);
  assert.equal(procMemlockKiB('Limit Soft Limit\n'), undefined);
  assert.equal(holdsIpcLock('Name:\tqemu\nCapEff:\t000001ffffffffff\n'), true);
  assert.equal(holdsIpcLock('CapEff:\t0000000000004000\n'), true);
  assert.equal(holdsIpcLock('CapEff:\t0000000000003fff\n'), false);
  assert.equal(holdsIpcLock('Name:\tqemu\n'), null);
});
