import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildHost, type HostSpec, type PciFunctionSpec } from '../test/fixtures/host-builder.js';

// bench/snapshot: a host with 1,024 PCI functions and a 200 MB kernel log; wall time and peak memory of
// `vfio-doctor snapshot --root` next to `lspci -nnk -vv` on the same tree, measured in the same run.
// Run: npm run build && node build/bench/snapshot.js [--functions 1024] [--log-mb 200] [--runs 3]

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

const FUNCTIONS = arg('functions', 1024);
const LOG_MB = arg('log-mb', 200);
const RUNS = arg('runs', 3);
/** --keep DIR: build the host there and leave it (for profiling). */
const KEEP = process.argv.includes('--keep') ? process.argv[process.argv.indexOf('--keep') + 1]! : null;
const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '..', '..', 'dist', 'vfio-doctor.mjs');

function endpoint(at: string, n: number): PciFunctionSpec {
  return {
    at,
    id: n % 3 === 0 ? '8086:1572' : n % 3 === 1 ? '10de:1b80' : '144d:a808',
    class: n % 3 === 0 ? 0x020000 : n % 3 === 1 ? 0x030000 : 0x010802,
    driver: n % 4 === 0 ? 'vfio-pci' : null,
    bars: [{ index: 0, size: '64K' }],
    caps: { pm: true, msi: true, express: { flr: n % 2 === 0 }, aer: true, acs: n % 5 === 0 ? 'SV RR CR UF' : false, ari: n % 3 === 0 },
  };
}

/** Root buses of 32 slots x 8 functions; the last bus takes the rest. */
function bigHost(functions: number): HostSpec {
  const buses = [];
  let n = 0;
  for (let bus = 0; n < functions; bus++) {
    const devices: PciFunctionSpec[] = [];
    for (let dev = 0; dev < 32 && n < functions; dev++) for (let f = 0; f < 8 && n < functions; f++) devices.push(endpoint(`${dev.toString(16).padStart(2, '0')}.${f}`, n++));
    buses.push({ domain: bus, bus: 0, devices });
  }
  return { os: 'debian-12', cpu: { vendor: 'intel' }, kernel: { release: '6.1.0-25-amd64' }, cmdlineArgs: ['intel_iommu=on'], iommu: {}, pci: buses, logs: { dmesg: null } };
}

function writeLog(file: string, mb: number): void {
  const fd = fs.openSync(file, 'w');
  const lines = [
    'usb 1-4: new high-speed USB device number 3 using xhci_hcd',
    'EXT4-fs (nvme0n1p2): mounted filesystem with ordered data mode. Quota mode: none.',
    'audit: type=1400 audit(1700000000.000:42): apparmor="STATUS" operation="profile_load" profile="unconfined"',
    'IPv6: ADDRCONF(NETDEV_CHANGE): enp5s0: link becomes ready',
    'vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)',
    'DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x7f3c0000 [fault reason 0x06] PTE Read access is not set',
  ];
  const target = mb * 1024 * 1024;
  let written = 0;
  let t = 0;
  while (written < target) {
    let chunk = '';
    for (let i = 0; i < 10_000; i++) {
      t += 0.000731;
      const l = lines[i % 97 === 0 ? 4 + (i % 2) : i % 4]!;
      chunk += `[${t.toFixed(6).padStart(12)}] ${l}\n`;
    }
    fs.writeSync(fd, chunk);
    written += Buffer.byteLength(chunk);
  }
  fs.closeSync(fd);
}

/** Wall seconds and peak RSS (KiB) from GNU time. */
function measure(cmd: string, args: string[]): { seconds: number; maxKiB: number } {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  const out = r.stderr.toString();
  if (r.status !== 0) throw new Error(`${cmd} failed: ${out.slice(-300)}`);
  const m = /TIME ([\d.]+) (\d+)/.exec(out);
  if (!m) throw new Error(`no timing in: ${out.slice(-200)}`);
  return { seconds: Number(m[1]), maxKiB: Number(m[2]) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vfio-doctor-bench-'));
try {
  const root = await buildHost(bigHost(FUNCTIONS), KEEP ?? path.join(tmp, 'host'));
  fs.mkdirSync(path.join(root, 'commands'), { recursive: true });
  writeLog(path.join(root, 'commands', 'dmesg'), LOG_MB);
  const count = fs.readdirSync(path.join(root, 'sys/bus/pci/devices')).length;
  const ours: { seconds: number; maxKiB: number }[] = [];
  const theirs: { seconds: number; maxKiB: number }[] = [];
  const lspciArgs = ['-nnk', '-vv', '-A', 'linux-sysfs', '-O', `sysfs.path=${root}/sys/bus/pci`, '-O', 'hwdb.disable=1'];
  for (let i = 0; i < RUNS; i++) {
    ours.push(measure(process.execPath, [cli, 'snapshot', '--root', root, '-o', path.join(tmp, `s${i}.json`)]));
    theirs.push(measure('lspci', lspciArgs));
  }
  const o = { seconds: median(ours.map((x) => x.seconds)), maxMiB: Math.max(...ours.map((x) => x.maxKiB)) / 1024 };
  const l = { seconds: median(theirs.map((x) => x.seconds)), maxMiB: Math.max(...theirs.map((x) => x.maxKiB)) / 1024 };
  const log = fs.statSync(path.join(root, 'commands', 'dmesg')).size / (1 << 20);
  console.log(`host: ${count} PCI functions, kernel log ${log.toFixed(0)} MB, ${RUNS} runs (median wall time, max peak RSS)`);
  console.log(`vfio-doctor snapshot --root: ${o.seconds.toFixed(2)} s, peak ${o.maxMiB.toFixed(0)} MiB (targets: <= lspci time, < 150 MiB)`);
  console.log(`lspci -nnk -vv (same tree):  ${l.seconds.toFixed(2)} s, peak ${l.maxMiB.toFixed(0)} MiB`);
  console.log(`ratio vfio-doctor / lspci time: ${(o.seconds / Math.max(l.seconds, 0.01)).toFixed(2)}`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
