// Issue 16's paste row: `analyze` of a 5 MB and a 50 MB paste must grow linearly in time and memory
// (the 50 MB run at most 11× the 5 MB one) and peak under 150 MB.
//
//   node build/bench/analyze-paste.js [--quick] [--keep]
//
// The paste is what someone posts about one failing GPU, made long: `lspci -nnk`, the command line,
// QEMU's refusal to start the VM, and then dmesg output, again and again, with a fifth of its lines about
// that one device (an AER flood, vfio-pci messages, DMA faults) among ordinary lines of a busy host.
// Both files are generated the same way; each is analysed as a user does (`node dist/vfio-doctor.mjs
// analyze FILE`, output to a file), and the peak RSS is the child's own.

import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { logChunks } from './kernel-log-gen.js';
import { CLI, measure, mib, secs } from './cli-run.js';
import type { BenchOptions, BenchRow } from './row.js';
import { settle } from './support.js';

const MiB = 1024 * 1024;
const MAX_GROWTH = 11;
const MAX_PEAK_KIB = 150 * 1024;

const LSPCI = `$ lspci -nnk
00:00.0 Host bridge [0600]: Intel Corporation 8th Gen Core Processor Host Bridge/DRAM Registers [8086:3e30] (rev 0d)
\tSubsystem: ASUSTeK Computer Inc. 8th Gen Core Processor Host Bridge/DRAM Registers [1043:8694]
\tKernel driver in use: skl_uncore
00:01.0 PCI bridge [0604]: Intel Corporation 6th-10th Gen Core Processor PCIe Controller (x16) [8086:1901] (rev 0d)
\tKernel driver in use: pcieport
00:02.0 VGA compatible controller [0300]: Intel Corporation CoffeeLake-S GT2 [UHD Graphics 630] [8086:3e92]
\tSubsystem: ASUSTeK Computer Inc. CoffeeLake-S GT2 [UHD Graphics 630] [1043:8694]
\tKernel driver in use: i915
\tKernel modules: i915
00:14.0 USB controller [0c03]: Intel Corporation Cannon Lake PCH USB 3.1 xHCI Host Controller [8086:a36d] (rev 10)
\tSubsystem: ASUSTeK Computer Inc. Cannon Lake PCH USB 3.1 xHCI Host Controller [1043:8694]
\tKernel driver in use: xhci_hcd
\tKernel modules: xhci_pci
00:17.0 SATA controller [0106]: Intel Corporation Cannon Lake PCH SATA AHCI Controller [8086:a352] (rev 10)
\tKernel driver in use: ahci
\tKernel modules: ahci
00:1f.6 Ethernet controller [0200]: Intel Corporation Ethernet Connection (7) I219-V [8086:15bc] (rev 10)
\tKernel driver in use: e1000e
\tKernel modules: e1000e
01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [GeForce RTX 2080 Rev. A] [10de:1e87] (rev a1)
\tSubsystem: eVga.com. Corp. TU104 [GeForce RTX 2080 Rev. A] [3842:2184]
\tKernel driver in use: vfio-pci
\tKernel modules: nvidiafb, nouveau
01:00.1 Audio device [0403]: NVIDIA Corporation TU104 HD Audio Controller [10de:10f8] (rev a1)
\tSubsystem: eVga.com. Corp. TU104 HD Audio Controller [3842:2184]
\tKernel driver in use: vfio-pci
\tKernel modules: snd_hda_intel
01:00.2 USB controller [0c03]: NVIDIA Corporation TU104 USB 3.1 Host Controller [10de:1ad8] (rev a1)
\tKernel driver in use: xhci_hcd
\tKernel modules: xhci_pci
01:00.3 Serial bus controller [0c80]: NVIDIA Corporation TU104 USB Type-C UCSI Controller [10de:1ad9] (rev a1)
\tKernel driver in use: nvidia-gpu
\tKernel modules: i2c_nvidia_gpu
02:00.0 Non-Volatile memory controller [0108]: Samsung Electronics Co Ltd NVMe SSD Controller SM981/PM981/PM983 [144d:a808]
\tKernel driver in use: nvme
\tKernel modules: nvme
$ cat /proc/cmdline
BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt vfio-pci.ids=10de:1e87,10de:10f8
`;

// QEMU's refusal as Proxmox VE shows it when the VM is started again after each try.
const QEMU = `$ qm start 101
kvm: -device vfio-pci,host=0000:01:00.0,id=hostpci0.0,bus=ich9-pcie-port-1,addr=0x0.0,multifunction=on: vfio 0000:01:00.0: failed to setup container for group 12: Failed to set iommu for container: Operation not permitted
start failed: QEMU exited with code 1
$ dmesg
`;

/** Writes a paste of about `bytes`: the listings once, then QEMU's error and a dmesg every ~1 MB. */
export function generatePaste(file: string, bytes: number): void {
  const fd = openSync(file, 'w');
  try {
    const written = writeSync(fd, LSPCI);
    let k = 0;
    // A chunk is ~4,000 lines (~500 KB): QEMU's error and a new "$ dmesg" before every other one.
    for (const chunk of logChunks(Math.max(0, bytes - written), 7, { deviceShare: 0.2 })) {
      if (k++ % 2 === 0) writeSync(fd, QEMU);
      writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
}

export interface PasteBenchOptions extends BenchOptions {
  keep?: boolean;
}

export async function rows(opts: PasteBenchOptions): Promise<BenchRow[]> {
  // The 50 MB run takes ~10 s of CPU: two runs each keep the row within a minute on a quiet machine.
  const runs = opts.quick ? 1 : 2;
  const dir = mkdtempSync(path.join(tmpdir(), 'vfio-doctor-bench-paste-'));
  try {
    const small = path.join(dir, 'paste-5mb.txt');
    const large = path.join(dir, 'paste-50mb.txt');
    generatePaste(small, 5 * MiB);
    generatePaste(large, 50 * MiB);
    settle();
    const analyze = (file: string) => ({ cmd: process.execPath, args: [CLI, 'analyze', file], ok: [0, 1] });
    // One untimed run first: the page cache and the bundle's compile cache, as for every later run.
    await measure(analyze(small), 1, dir);
    const s = await measure(analyze(small), runs, dir);
    const l = await measure(analyze(large), runs, dir);
    const size = (f: string): string => `${(statSync(f).size / MiB).toFixed(0)} MB`;
    const timeRatio = l.seconds / s.seconds;
    const peakRatio = l.peakKiB / s.peakKiB;
    const work = `\`analyze\`, ${size(small)} → ${size(large)} paste (one device flooding, QEMU errors, lspci)`;
    return [
      { work: `${work}: time`, reference: 'itself', ours: secs(l.seconds), theirs: secs(s.seconds), ratio: timeRatio, target: `≤ ${MAX_GROWTH}×`, pass: timeRatio <= MAX_GROWTH },
      {
        work: `${work}: peak RSS`,
        reference: 'itself',
        ours: `${mib(l.peakKiB)} peak`,
        theirs: `${mib(s.peakKiB)} peak`,
        ratio: peakRatio,
        target: `≤ ${MAX_GROWTH}×, peak < ${MAX_PEAK_KIB / 1024} MB`,
        pass: peakRatio <= MAX_GROWTH && l.peakKiB < MAX_PEAK_KIB,
      },
    ];
  } finally {
    if (opts.keep) process.stderr.write(`analyze-paste: kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  const out = await rows({ quick: argv.includes('--quick'), keep: argv.includes('--keep') });
  for (const r of out) {
    process.stdout.write(`${r.work}\n  ${r.ours} vs ${r.theirs}: ${r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`} (target ${r.target}) ${r.pass ? 'pass' : 'FAIL'}\n`);
  }
  return out.every((r) => r.pass) ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`analyze-paste: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
