// Issue 16's log rows: `decode` of a 300 MB kernel log against `grep -cE` with the decoder's own anchors,
// and the peak RSS of `decode` and of `check --root` with that log in the host tree.
//
//   node build/bench/logscan.js [--quick] [--size-mb 300] [--keep]
//
// The log is generated (mostly ordinary lines of a busy hypervisor, ~1.5% passthrough events, a boot
// sequence every ~20 MB) as the dmesg of a small host tree built by the test host builder. Measured on
// the same file, as a user runs them (output to a file): `node dist/vfio-doctor.mjs decode FILE` and
// `grep -c -E <the anchors as one alternation>` (LC_ALL=C) alternately, the collector's scanner alone
// (scanKernelLog in a child process, start-up excluded), and `check --root`. Peak RSS is the child's own
// (GNU time's %M). The grep pattern is printed to standard error. Everything is removed at the end unless
// --keep.

import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { anchorTexts } from '../src/log/anchors.js';
import { scanKernelLog } from '../src/log/relevant.js';
import { buildHost, type HostSpec } from '../test/fixtures/host-builder.js';
import { CLI, measure, measurePair, median, mib, secs, type RunResult } from './cli-run.js';
import type { BenchOptions, BenchRow } from './row.js';

const MiB = 1024 * 1024;
/** Issue 16's targets for these rows. */
const MIN_THROUGHPUT_RATIO = 0.5;
const MAX_PEAK_KIB = 150 * 1024;

interface ScanMeasure {
  seconds: number;
  peakKiB: number;
  relevant: number;
}

export interface LogscanOptions extends BenchOptions {
  sizeMb?: number;
  /** Keep the generated host and log in this directory (not removed). */
  keep?: boolean;
}

/** A workstation passing a GPU through: enough for `check` to walk every layer. */
function host(): HostSpec {
  return {
    os: 'debian-12',
    cpu: { vendor: 'intel', count: 8 },
    cmdlineArgs: ['intel_iommu=on', 'iommu=pt'],
    iommu: {},
    pci: [
      {
        domain: 0,
        bus: 0,
        devices: [
          { at: '00.0', id: '8086:3e30', class: 0x060000, conventional: true },
          { at: '02.0', id: '8086:3e92', class: 0x030000, driver: 'i915', bootVga: true },
          { at: '14.0', id: '8086:a36d', class: 0x0c0330, driver: 'xhci_hcd', conventional: true },
          { at: '17.0', id: '8086:a352', class: 0x010601, driver: 'ahci', conventional: true },
          {
            at: '01.0',
            id: '8086:1901',
            class: 0x060400,
            portType: 'root-port',
            caps: { acs: true },
            children: [
              { at: '00.0', id: '10de:1e87', class: 0x030000, driver: 'vfio-pci', bars: [{ index: 0, size: '16M' }] },
              { at: '00.1', id: '10de:10f8', class: 0x040300, driver: 'vfio-pci' },
            ],
          },
        ],
      },
    ],
  };
}

export async function rows(opts: LogscanOptions): Promise<BenchRow[]> {
  const runs = opts.quick ? 1 : 3;
  const sizeMb = opts.sizeMb ?? 300;
  const dir = mkdtempSync(path.join(tmpdir(), 'vfio-doctor-bench-logscan-'));
  try {
    const root = await buildHost(host(), path.join(dir, 'host'));
    const log = path.join(root, 'commands', 'dmesg');
    generateLog(log, sizeMb * MiB, 1);
    const bytes = statSync(log).size;
    const anchors = anchorTexts();
    const pattern = anchors.map(escapeRegex).join('|');
    process.stderr.write(`logscan: grep -c -E with the decoder's ${anchors.length} anchors (LC_ALL=C): ${pattern}\n`);

    const decode = { cmd: process.execPath, args: [CLI, 'decode', log], ok: [0] };
    const grep = { cmd: 'grep', args: ['-c', '-E', pattern, log], ok: [0, 1], env: { ...process.env, LC_ALL: 'C' } };
    const pair = await measurePair(decode, grep, runs, dir);
    const scans: ScanMeasure[] = [];
    for (let i = 0; i < runs; i++) scans.push(await measureScanner(log));
    const scan = { seconds: median(scans.map((s) => s.seconds)), peakKiB: median(scans.map((s) => s.peakKiB)) };
    const check = await measure({ cmd: process.execPath, args: [CLI, 'check', '--root', root], ok: [0, 1] }, runs, dir);

    const size = `${(bytes / MiB).toFixed(0)} MB`;
    const rate = (s: number): string => `${(bytes / MiB / s).toFixed(0)} MB/s (${secs(s)})`;
    const grepRef = `\`grep -cE\`, the decoder's ${anchors.length} anchors`;
    const throughputRow = (work: string, ours: number): BenchRow => {
      const ratio = pair.theirs.seconds / ours;
      return { work, reference: grepRef, ours: rate(ours), theirs: rate(pair.theirs.seconds), ratio, target: `≥ ${MIN_THROUGHPUT_RATIO}× grep throughput`, pass: ratio >= MIN_THROUGHPUT_RATIO };
    };
    const peakRow = (work: string, r: Pick<RunResult, 'peakKiB'>): BenchRow => ({
      work,
      reference: '—',
      ours: `${mib(r.peakKiB)} peak`,
      theirs: '—',
      ratio: null,
      target: `peak RSS < ${MAX_PEAK_KIB / 1024} MB`,
      pass: r.peakKiB < MAX_PEAK_KIB,
    });
    return [
      throughputRow(`\`decode\`, ${size} log (the CLI, start-up included)`, pair.ours.seconds),
      throughputRow(`log scan alone (the collector's scanner, in-process), ${size} log`, scan.seconds),
      peakRow(`\`decode\`, ${size} log`, pair.ours),
      peakRow(`\`check --root\`, ${size} log in the tree`, check),
    ];
  } finally {
    if (opts.keep) process.stderr.write(`logscan: kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--child') return child(argv[1] ?? '');
  const out = await rows({ quick: argv.includes('--quick'), sizeMb: numberOpt(argv, '--size-mb', 300), keep: argv.includes('--keep') });
  const cells = [['work', 'reference', 'ours', 'theirs', 'ratio', 'target', 'pass'], ...out.map((r) => [r.work, r.reference, r.ours, r.theirs, r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`, r.target, r.pass ? 'yes' : 'NO'])];
  process.stdout.write(table(cells));
  return out.every((r) => r.pass) ? 0 : 1;
}

// The child: scans the file and reports time and its own peak RSS.
async function child(file: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const { stats } = await scanKernelLog(file);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const out: ScanMeasure = { seconds, peakKiB: process.resourceUsage().maxRSS, relevant: stats.relevantLines };
  process.stdout.write(JSON.stringify(out) + '\n');
  return 0;
}

function measureScanner(file: string): Promise<ScanMeasure> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [self, '--child', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (d: string) => (stdout += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as ScanMeasure) : reject(new Error(`scanner child exited with ${code}`))));
  });
}

// ---------------------------------------------------------------- the generated log

/** Small deterministic PRNG, so every run scans the same file. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

type Template = (r: () => number) => string;

const ip = (r: () => number): string => `192.168.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}`;
const int = (r: () => number, n: number): number => Math.floor(r() * n);
const hex = (r: () => number, digits: number): string => int(r, 16 ** digits).toString(16).padStart(digits, '0');

// Ordinary traffic of a busy hypervisor's kernel log: firewall, audit, bridges, USB, storage, KVM.
const NOISE: [number, Template][] = [
  [30, (r) => `[UFW BLOCK] IN=vmbr0 OUT= MAC=01:00:5e:00:00:01:a8:5e:45:${hex(r, 2)}:${hex(r, 2)}:56:08:00 SRC=${ip(r)} DST=${ip(r)} LEN=${40 + int(r, 1400)} TOS=0x00 PREC=0x00 TTL=64 ID=${int(r, 65535)} DF PROTO=TCP SPT=${int(r, 65535)} DPT=${int(r, 65535)} WINDOW=64240 RES=0x00 SYN URGP=0`],
  [15, (r) => `audit: type=1400 audit(1706688722.${int(r, 999)}:${int(r, 99999)}): apparmor="DENIED" operation="open" class="file" profile="lxc-${100 + int(r, 50)}_</var/lib/lxc>" name="/proc/${int(r, 9999)}/cgroup" pid=${int(r, 99999)} comm="agent" requested_mask="r" denied_mask="r" fsuid=100000 ouid=100000`],
  [10, (r) => `vmbr0: port ${1 + int(r, 8)}(tap${100 + int(r, 50)}i0) entered ${['blocking', 'disabled', 'forwarding'][int(r, 3)]} state`],
  [5, (r) => `tap${100 + int(r, 50)}i0: entered promiscuous mode`],
  [5, (r) => `kvm: kvm [${int(r, 99999)}]: ignored rdmsr: 0x${hex(r, 3)} data 0x0`],
  [4, (r) => `usb 3-${1 + int(r, 4)}: new full-speed USB device number ${int(r, 120)} using xhci_hcd`],
  [2, (r) => `usb 3-${1 + int(r, 4)}: reset full-speed USB device number ${int(r, 120)} using xhci_hcd`],
  [3, (r) => `usb 3-${1 + int(r, 4)}: USB disconnect, device number ${int(r, 120)}`],
  [2, (r) => `EXT4-fs (dm-${int(r, 9)}): mounted filesystem ${hex(r, 8)}-${hex(r, 4)} r/w with ordered data mode. Quota mode: none.`],
  [2, (r) => `nfs: server 10.0.0.${int(r, 250)} not responding, still trying`],
  [2, (r) => `igb 0000:05:00.${int(r, 2)} eno${1 + int(r, 2)}: igb: eno1 NIC Link is Up 1000 Mbps Full Duplex, Flow Control: RX/TX`],
  [2, (r) => `loop${int(r, 8)}: detected capacity change from 0 to ${int(r, 999999)}`],
  [2, (r) => `device tap${100 + int(r, 50)}i0 entered promiscuous mode`],
  [1, (r) => `perf: interrupt took too long (${2500 + int(r, 100)} > 2500), lowering kernel.perf_event_max_sample_rate to 79500`],
  [1, () => 'TCP: request_sock_TCP: Possible SYN flooding on port 8006. Sending cookies.  Check SNMP counters.'],
  [1, (r) => `pcieport 0000:00:1c.${int(r, 8)}: AER: Corrected error received: 0000:00:1c.0`],
  [1, (r) => `nvme nvme0: I/O ${int(r, 1024)} QID ${int(r, 16)} timeout, aborting`],
  [1, () => 'ZFS: Loaded module v2.2.2-pve1, ZFS pool version 5000, ZFS filesystem version 5'],
  [1, (r) => `hrtimer: interrupt took ${int(r, 99999)} ns`],
];

// What the scanner is for: passthrough events while VMs start and stop.
const RELEVANT: [number, Template][] = [
  [4, () => 'vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)'],
  [2, () => 'vfio-pci 0000:01:00.0: vgaarb: changed VGA decodes: olddecodes=io+mem,decodes=io+mem:owns=none'],
  [3, (r) => `DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x${hex(r, 8)} [fault reason 0x06] PTE Read access is not set`],
  [1, () => 'DMAR: DRHD: handling fault status reg 2'],
  [1, (r) => `dmar_fault: ${int(r, 99)} callbacks suppressed`],
  [2, (r) => `vfio-pci 0000:0b:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000d address=0x${hex(r, 8)} flags=0x0020]`],
  [1, () => 'vfio-pci 0000:c3:00.0: BAR 0: can\'t reserve [mem 0x2800000000-0x2fffffffff 64bit pref]'],
  [1, () => 'vfio-pci 0000:01:00.0: not ready 1023ms after FLR; waiting'],
];

const BOOT = [
  'Linux version 6.8.12-4-pve (build@proxmox) (gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4',
  'Command line: BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt',
  'DMI: Supermicro X11SPi-TF/X11SPi-TF, BIOS 3.8 11/23/2022',
  'ACPI: DMAR 0x000000006D3F6000 000128 (v01 ALASKA A M I    00000001 INTL 20091013)',
  'DMAR: IOMMU enabled',
  'DMAR: Host address width 46',
  'DMAR: DRHD base: 0x000000fbffc000 flags: 0x1',
  'DMAR: dmar0: reg_base_addr fbffc000 ver 1:0 cap 8d2078c106f0466 ecap f020df',
  'DMAR-IR: Enabled IRQ remapping in x2apic mode',
  'pci 0000:01:00.0: [10de:1e87] type 00 class 0x030000 PCIe Legacy Endpoint',
  'pci 0000:01:00.0: PME# supported from D0 D3hot D3cold',
  'pci 0000:01:00.1: [10de:10f8] type 00 class 0x040300 PCIe Endpoint',
  'iommu: Default domain type: Passthrough (set via kernel command line)',
  'DMAR: Intel(R) Virtualization Technology for Directed I/O',
  'pci 0000:00:00.0: Adding to iommu group 0',
  'pci 0000:01:00.0: Adding to iommu group 12',
  'pci 0000:01:00.1: Adding to iommu group 12',
  'VFIO - User Level meta-driver version: 0.3',
  'vfio_pci: add [10de:1e87[ffffffff:ffffffff]] class 0x000000/00000000',
  '[drm] Initialized simpledrm 1.0.0 20200625 for simple-framebuffer.0 on minor 0',
];

function pick(r: () => number, list: [number, Template][], total: number): Template {
  let x = r() * total;
  for (const [w, t] of list) {
    x -= w;
    if (x < 0) return t;
  }
  return (list[list.length - 1] as [number, Template])[1];
}

/** Writes about `bytes` of log: ~1.5% relevant lines, a boot sequence every ~20 MB. */
export function generateLog(file: string, bytes: number, seed: number): void {
  const r = prng(seed);
  const noiseTotal = NOISE.reduce((a, [w]) => a + w, 0);
  const relTotal = RELEVANT.reduce((a, [w]) => a + w, 0);
  const fd = openSync(file, 'w');
  try {
    let written = 0;
    let t = 0;
    let nextBoot = 0;
    while (written < bytes) {
      const lines: string[] = [];
      for (let i = 0; i < 4000; i++) {
        t += r() * 0.05;
        if (written >= nextBoot && i === 0) {
          t = 0;
          for (const b of BOOT) lines.push(`[${(t += 0.001).toFixed(6).padStart(12)}] ${b}`);
          nextBoot += 20 * MiB;
        }
        const tpl = r() < 0.015 ? pick(r, RELEVANT, relTotal) : pick(r, NOISE, noiseTotal);
        lines.push(`[${t.toFixed(6).padStart(12)}] ${tpl(r)}`);
      }
      const chunk = Buffer.from(lines.join('\n') + '\n', 'utf8');
      writeSync(fd, chunk);
      written += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function numberOpt(argv: string[], name: string, dflt: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} needs a positive number`);
  return v;
}

function table(rows: string[][]): string {
  const widths = (rows[0] as string[]).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c] as number)).join('  ').trimEnd()).join('\n') + '\n';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`logscan: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
