// A kernel log of real-format lines for the benches: ordinary traffic of a busy hypervisor, passthrough
// events while VMs start and stop, a boot sequence now and then, and optionally a flood about one device.

import { closeSync, openSync, writeSync } from 'node:fs';

const MiB = 1024 * 1024;


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

export interface LogOptions {
  /**
   * Share of extra lines about one device (0000:01:00.0): an AER flood and the vfio-pci lines of a VM
   * restarting, as a paste about one failing device holds. Default 0.
   */
  deviceShare?: number;
}

// Lines about the one device a paste is about, as a flooding AER link and a VM that keeps restarting print.
const DEVICE: [number, Template][] = [
  [4, () => 'pcieport 0000:00:01.0: AER: Corrected error received: 0000:01:00.0'],
  [4, () => 'vfio-pci 0000:01:00.0: PCIe Bus Error: severity=Corrected, type=Physical Layer, (Receiver ID)'],
  [2, () => 'vfio-pci 0000:01:00.0:   device [10de:1e87] error status/mask=00000001/0000a000'],
  [2, () => 'vfio-pci 0000:01:00.0:    [ 0] RxErr                  (First)'],
  [1, () => 'vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)'],
  [1, () => 'vfio-pci 0000:01:00.0: vfio_ecap_init: hiding ecap 0x19@0x900'],
  [1, () => 'vfio-pci 0000:01:00.0: vfio_bar_restore: reset recovery - restoring BARs'],
  [1, (r) => `DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x${hex(r, 8)} [fault reason 0x06] PTE Read access is not set`],
];

/**
 * The log in blocks of about 4,000 lines: ~1.5% relevant lines (plus `deviceShare` about one device),
 * a boot sequence every ~20 MB; about `bytes` in all. Deterministic for a seed.
 */
export function* logChunks(bytes: number, seed: number, opts: LogOptions = {}): Generator<Buffer> {
  const r = prng(seed);
  const noiseTotal = NOISE.reduce((a, [w]) => a + w, 0);
  const relTotal = RELEVANT.reduce((a, [w]) => a + w, 0);
  const devTotal = DEVICE.reduce((a, [w]) => a + w, 0);
  const deviceShare = opts.deviceShare ?? 0;
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
      const x = r();
      const tpl = x < deviceShare ? pick(r, DEVICE, devTotal) : x < deviceShare + 0.015 ? pick(r, RELEVANT, relTotal) : pick(r, NOISE, noiseTotal);
      lines.push(`[${t.toFixed(6).padStart(12)}] ${tpl(r)}`);
    }
    const chunk = Buffer.from(lines.join('\n') + '\n', 'utf8');
    written += chunk.length;
    yield chunk;
  }
}

/** Writes about `bytes` of log to `file` (see logChunks). */
export function generateLog(file: string, bytes: number, seed: number, opts: LogOptions = {}): void {
  const fd = openSync(file, 'w');
  try {
    for (const chunk of logChunks(bytes, seed, opts)) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}
