// `check --root` of a generated host next to `lspci -nnk -vv` reading the same tree, in the same run.
//
//   node build/bench/check-host.js [--quick] [--keep DIR]
//
// Two hosts, both with the real sysfs layout from the test host builder, the real Debian kernel's
// module tree (modules.alias and all) and its real zstd initramfs, and a kernel log of real-format lines
// padded with ordinary noise: a 1,024-function server (every fourth slot bound to vfio-pci) with a 1 MB
// log, and a 40-function workstation passing one GPU (and its audio function) through. Both are healthy
// hosts in their steady state, what a periodic or boot-time check sees.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildHost, type HostSpec, type PciFunctionSpec } from '../test/fixtures/host-builder.js';
import { rowLine, type BenchOptions, type BenchRow } from './row.js';
import { checkFloor } from './floor.js';
import { CLI, dropScratch, installRealKernel, realKernelTree, scratch, seconds, settle, timePair, type Command } from './support.js';

function endpoint(at: string, n: number, vfio: boolean): PciFunctionSpec {
  const kind = n % 3;
  return {
    at,
    id: kind === 0 ? '8086:1572' : kind === 1 ? '10de:1b80' : '144d:a808',
    class: kind === 0 ? 0x020000 : kind === 1 ? 0x030000 : 0x010802,
    driver: vfio ? 'vfio-pci' : kind === 0 ? 'i40e' : kind === 1 ? 'nouveau' : 'nvme',
    bars: [{ index: 0, size: '64K' }],
    caps: { pm: true, msi: true, express: { flr: n % 2 === 0 }, aer: true, acs: n % 5 === 0 ? 'SV RR CR UF' : false, ari: kind === 0 },
  };
}

/** Root buses of 32 slots × 8 functions (the last takes the rest); every fourth slot is a target. */
function serverHost(functions: number, release: string): HostSpec {
  const buses = [];
  let n = 0;
  for (let bus = 0; n < functions; bus++) {
    const devices: PciFunctionSpec[] = [];
    for (let dev = 0; dev < 32 && n < functions; dev++) {
      const vfio = dev % 4 === 1;
      for (let f = 0; f < 8 && n < functions; f++) devices.push(endpoint(`${dev.toString(16).padStart(2, '0')}.${f}`, n++, vfio));
    }
    buses.push({ domain: bus, bus: 0, devices });
  }
  return {
    os: 'debian-12',
    cpu: { vendor: 'intel', count: 64 },
    kernel: { release, installed: [{ release, vmlinuz: false, initramfs: false, config: false, modulesDir: false }] },
    cmdlineArgs: ['intel_iommu=on', 'iommu=pt'],
    iommu: {},
    pci: buses,
  };
}

/** A workstation: chipset, NVMe root disk, NIC, USB, and a GPU with its audio function for a VM. */
function workstationHost(release: string): HostSpec {
  const chipset: PciFunctionSpec[] = [
    { at: '00.0', id: '8086:3e30', class: 0x060000, conventional: true },
    { at: '02.0', id: '8086:3e92', class: 0x030000, driver: 'i915', bootVga: true, bars: [{ index: 0, size: '16M' }, { index: 2, size: '256M', prefetchable: true }] },
    { at: '14.0', id: '8086:a36d', class: 0x0c0330, driver: 'xhci_hcd', conventional: true },
    { at: '14.2', id: '8086:a36f', class: 0x050000, conventional: true },
    { at: '16.0', id: '8086:a360', class: 0x078000, driver: 'mei_me', conventional: true },
    { at: '17.0', id: '8086:a352', class: 0x010601, driver: 'ahci', conventional: true },
    { at: '1f.0', id: '8086:a305', class: 0x060100, conventional: true },
    { at: '1f.3', id: '8086:a348', class: 0x040300, driver: 'snd_hda_intel', conventional: true },
    { at: '1f.4', id: '8086:a323', class: 0x0c0500, driver: 'i801_smbus', conventional: true },
    { at: '1f.5', id: '8086:a324', class: 0x0c8000, conventional: true },
    { at: '1f.6', id: '8086:15bc', class: 0x020000, driver: 'e1000e', conventional: true },
  ];
  const port = (at: string, children: PciFunctionSpec[]): PciFunctionSpec => ({ at, id: '8086:1901', class: 0x060400, portType: 'root-port', caps: { acs: true }, children });
  const devices: PciFunctionSpec[] = [
    ...chipset,
    port('01.0', [
      { at: '00.0', id: '10de:1e87', class: 0x030000, driver: 'vfio-pci', hostDriver: 'nouveau', bars: [{ index: 0, size: '16M' }, { index: 1, size: '256M', prefetchable: true }, { index: 3, size: '32M', prefetchable: true }] },
      { at: '00.1', id: '10de:10f8', class: 0x040300, driver: 'vfio-pci', hostDriver: 'snd_hda_intel' },
    ]),
    port('01.1', [{ at: '00.0', id: '144d:a808', class: 0x010802, driver: 'nvme' }]),
  ];
  // Pad with more root ports carrying single-function devices up to 40 functions, as a busy desktop has.
  let slot = 0x1c;
  let fn = 0;
  let count = devices.length + devices.reduce((s, d) => s + (d.children?.length ?? 0), 0);
  while (count + 2 <= 40) {
    devices.push(port(`${slot.toString(16)}.${fn}`, [{ at: '00.0', id: '8086:1539', class: 0x020000, driver: 'igb' }]));
    count += 2;
    if (++fn === 8) { fn = 0; slot++; }
  }
  if (count < 40) devices.push({ at: '1f.2', id: '8086:a321', class: 0x058000, conventional: true });
  return {
    os: 'debian-12',
    cpu: { vendor: 'intel' },
    kernel: { release, installed: [{ release, vmlinuz: false, initramfs: false, config: false, modulesDir: false }] },
    cmdlineArgs: ['intel_iommu=on', 'iommu=pt', 'vfio-pci.ids=10de:1e87,10de:10f8'],
    iommu: {},
    pci: [{ devices }],
    modprobe: { 'vfio.conf': 'options vfio-pci ids=10de:1e87,10de:10f8\nsoftdep nouveau pre: vfio-pci\n' },
  };
}

const NOISE = [
  'usb 1-4: new high-speed USB device number 3 using xhci_hcd',
  'EXT4-fs (nvme0n1p2): mounted filesystem with ordered data mode. Quota mode: none.',
  'audit: type=1400 audit(1700000000.000:42): apparmor="STATUS" operation="profile_load" profile="unconfined" name="lsb_release" pid=912 comm="apparmor_parser"',
  'IPv6: ADDRCONF(NETDEV_CHANGE): enp5s0: link becomes ready',
  'systemd-journald[402]: Received client request to flush runtime journal.',
  'perf: interrupt took too long (2503 > 2500), lowering kernel.perf_event_max_sample_rate to 79800',
];

/**
 * The builder's boot log for the host, then `bytes` of ordinary noise with, now and then, what a
 * passthrough host logs at run time: vfio-pci enabling targets, a BAR that cannot be reserved, DMAR faults.
 */
function padLog(file: string, bytes: number, targets: string[]): void {
  const boot = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const last = [...boot.matchAll(/^\[\s*(\d+\.\d+)\]/gm)].pop();
  let t = last ? Number(last[1]) : 0;
  const out: string[] = [boot.endsWith('\n') || boot === '' ? boot.trimEnd() : boot];
  let size = Buffer.byteLength(boot);
  for (let i = 0; size < bytes; i++) {
    t += 0.000731;
    const target = targets[i % Math.max(1, targets.length)];
    let line = NOISE[i % NOISE.length]!;
    if (target !== undefined && i % 211 === 0) line = `vfio-pci ${target}: enabling device (0000 -> 0003)`;
    else if (target !== undefined && i % 997 === 0) line = `DMAR: [DMA Read NO_PASID] Request device [${target.slice(5)}] fault addr 0x7f3c${(i & 0xffff).toString(16).padStart(4, '0')}000 [fault reason 0x06] PTE Read access is not set`;
    else if (target !== undefined && i % 4999 === 0) line = `vfio-pci ${target}: BAR 0: can't reserve [mem 0xc0000000-0xc0ffffff 64bit pref]`;
    const text = `[${t.toFixed(6).padStart(12)}] ${line}`;
    out.push(text);
    size += text.length + 1;
  }
  fs.writeFileSync(file, out.filter((l) => l !== '').join('\n') + '\n');
}

function vfioTargets(root: string): string[] {
  const devices = path.join(root, 'sys', 'bus', 'pci', 'devices');
  return fs.readdirSync(devices).filter((a) => {
    try {
      return path.basename(fs.readlinkSync(path.join(devices, a, 'driver'))) === 'vfio-pci';
    } catch {
      return false;
    }
  });
}

interface HostCase {
  work: string;
  target: string;
  limit: number;
  spec: (release: string) => HostSpec;
  logBytes: number;
}

async function measureHost(c: HostCase, runs: number, keep: string | null): Promise<BenchRow> {
  const kernel = await realKernelTree();
  const dir = scratch('check');
  try {
    const root = await buildHost(c.spec(kernel.version), keep ?? path.join(dir, 'host'));
    installRealKernel(kernel, root);
    padLog(path.join(root, 'commands', 'dmesg'), c.logBytes, vfioTargets(root));
    settle();
    const ours: Command = { cmd: process.execPath, args: [CLI, 'check', '--root', root, '--color', 'never'], ok: [0, 1] };
    const lspci: Command = { cmd: 'lspci', args: ['-nnk', '-vv', '-A', 'linux-sysfs', '-O', `sysfs.path=${root}/sys/bus/pci`, '-O', 'hwdb.disable=1'], ok: [0] };
    const t = timePair(ours, lspci, runs, dir);
    const ratio = t.ours / t.theirs;
    return {
      work: c.work, reference: '`lspci -nnk -vv`', ours: seconds(t.ours), theirs: seconds(t.theirs), ratio, target: c.target, pass: ratio <= c.limit,
      floor: checkFloor(root, lspci, runs, dir),
    };
  } finally {
    dropScratch(dir);
  }
}

const CASES: HostCase[] = [
  { work: '`check --root`, 1,024 functions, 1 MB log', target: '≤ 2.0×', limit: 2.0, spec: (r) => serverHost(1024, r), logBytes: 1 << 20 },
  { work: '`check --root`, 40 functions', target: '≤ 3×', limit: 3, spec: workstationHost, logBytes: 256 << 10 },
];

export async function rows(opts: BenchOptions, keep: string | null = null): Promise<BenchRow[]> {
  const out: BenchRow[] = [];
  for (const c of CASES) out.push(await measureHost(c, opts.quick ? 3 : 7, keep && path.join(keep, String(out.length))));
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--keep');
  const keep = i > 0 ? process.argv[i + 1] ?? null : null;
  for (const r of await rows({ quick: process.argv.includes('--quick') }, keep)) {
    console.log(rowLine(r));
  }
}
