// Boots one guest under QEMU's TCG (KVM does not work on these machines: /dev/kvm exists, QEMU aborts)
// with an emulated IOMMU on a q35 machine and one PCIe device behind a root port, runs the variant's
// script in it and returns what the script wrote to /out plus the serial console.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { GuestKernel } from './assets.js';
import { buildInitrd } from './initrd.js';

export type GuestCpu = 'intel' | 'amd';
export type GuestIommu = 'intel' | 'amd' | null;

export interface GuestSpec {
  name: string;
  kernel: GuestKernel;
  busybox: string;
  cpu: GuestCpu;
  iommu: GuestIommu;
  /** Interrupt remapping on the emulated IOMMU (intel-iommu intremap=); default on. */
  intremap?: boolean;
  /** Extra kernel command-line words. */
  append?: string[];
  /** The PCI devices after the IOMMU; default: an e1000e behind a PCIe root port (guest 0000:01:00.0). */
  devices?: string[][];
  script: string;
  workDir: string;
  timeoutMs?: number;
  /** Files or directories copied into /out before the boot (each under its own name). */
  seed?: string[];
}

export interface GuestRun {
  /** The serial console: the guest kernel's boot messages and the init's own lines. */
  console: string;
  /** Directory holding what the script wrote to /out (run.log, the script's files, cmdline.txt). */
  out: string;
  /** false when the guest did not reach the end of its script before the time limit. */
  finished: boolean;
  read(file: string): string;
  has(file: string): boolean;
}

export const E1000E_BEHIND_ROOT_PORT: string[][] = [
  ['-device', 'pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1'],
  ['-device', 'e1000e,bus=rp1,romfile='],
];

const CPU_MODEL: Record<GuestCpu, string> = {
  intel: 'qemu64,vendor=GenuineIntel',
  // TCG emulates SVM: with it the guest's kvm_amd loads and /dev/kvm appears.
  amd: 'qemu64,vendor=AuthenticAMD,+svm',
};

function iommuDevice(spec: GuestSpec): string[] {
  if (spec.iommu === null) return [];
  const intremap = spec.intremap === false ? 'off' : 'on';
  if (spec.iommu === 'intel') return ['-device', `intel-iommu,intremap=${intremap}`];
  return ['-device', 'amd-iommu'];
}

export function qemuArgs(spec: GuestSpec, initrd: string, out: string): string[] {
  // no_timer_check: on a busy machine TCG's timer is slow enough that the kernel's boot-time check of
  // the timer interrupt through the remapped IO-APIC fails, and the kernel panics.
  const append = ['console=ttyS0', 'panic=-1', 'loglevel=4', 'no_timer_check', ...(spec.append ?? [])].join(' ');
  return [
    // Under TCG an AMD guest with an IOMMU panics ("timer doesn't work through Interrupt-remapped
    // IO-APIC") unless the IOAPIC is split off; an Intel one boots and remaps interrupts without that.
    '-machine', `q35,accel=tcg${spec.cpu === 'amd' ? ',kernel-irqchip=split' : ''}`,
    '-cpu', CPU_MODEL[spec.cpu],
    '-m', '1536',
    '-smp', '1',
    '-nodefaults',
    '-display', 'none',
    '-serial', 'stdio',
    '-no-reboot',
    '-kernel', spec.kernel.vmlinuz,
    '-initrd', initrd,
    '-append', append,
    '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
    '-virtfs', `local,path=${out},mount_tag=out,security_model=none`,
    // The IOMMU must come before the devices it translates for.
    ...iommuDevice(spec),
    ...(spec.devices ?? E1000E_BEHIND_ROOT_PORT).flat(),
  ];
}

export async function bootGuest(spec: GuestSpec): Promise<GuestRun> {
  const work = path.join(spec.workDir, spec.name);
  const out = path.join(work, 'out');
  fs.mkdirSync(out, { recursive: true });
  for (const from of spec.seed ?? []) fs.cpSync(from, path.join(out, path.basename(from)), { recursive: true });
  const initrd = await buildInitrd({ kernel: spec.kernel, busybox: spec.busybox, script: spec.script, workDir: work });
  const args = qemuArgs(spec, initrd, out);
  const consoleText = await new Promise<string>((resolve, reject) => {
    const child = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => chunks.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), spec.timeoutMs ?? 600_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
  const file = (f: string) => path.join(out, f);
  return {
    console: consoleText,
    out,
    finished: /vmtest: exit \d+/.test(consoleText),
    read: (f) => fs.readFileSync(file(f), 'utf8'),
    has: (f) => fs.existsSync(file(f)),
  };
}
