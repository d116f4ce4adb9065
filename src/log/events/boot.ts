// Boot context: the kernel banner and command line (the knowledge base keys on both), the platform,
// virtualization switched off in the firmware, unknown command-line parameters, and kernel oopses.

import type { Rule } from './types.js';

export const BOOT_RULES: Rule[] = [
  {
    kind: 'kernel-version',
    family: 'boot',
    layer: 'kernel',
    severity: 'info',
    anchors: ['Linux version '],
    diff: null,
    examples: [
      '[    0.000000] Linux version 6.8.0-48-generic (buildd@lcy02-amd64-010) (x86_64-linux-gnu-gcc-13) #48-Ubuntu SMP PREEMPT_DYNAMIC',
      '[    0.000000] Linux version 6.8.12-4-pve (build@proxmox) #1 SMP',
      '[    0.000000] Linux version 6.8.12-4-pve (build@proxmox) (gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4 (2024-11-06T15:04Z) ()',
    ],
    re: /^Linux version (\S+)(?: \((.*?)\))?/,
    fields: (m) => ({ release: m[1] as string }),
    device: () => null,
    meaning: (f) => `The kernel that wrote this log is ${String(f['release'])}.`,
  },
  {
    kind: 'kernel-cmdline',
    family: 'boot',
    layer: 'kernel',
    severity: 'info',
    anchors: ['ommand line'],
    diff: null,
    examples: [
      '[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-6.8.0-48-generic root=UUID=2a3d ro quiet splash intel_iommu=on iommu=pt',
      'Kernel command line: BOOT_IMAGE=/vmlinuz root=/dev/sda1 amd_iommu=on',
      '[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz root=/dev/sda1 intel_iommu=on',
    ],
    re: /^(?:Kernel command line|Command line): (.*)$/,
    fields: (m) => ({ cmdline: (m[1] as string).trim() }),
    device: () => null,
    meaning: 'The kernel command line of this boot.',
  },
  {
    kind: 'cmdline-unknown-params',
    family: 'boot',
    layer: 'kernel',
    severity: 'notice',
    anchors: ['Unknown kernel command line parameters'],
    diff: null,
    examples: [
      'Unknown kernel command line parameters "pcie_acs_override=downstream,multifunction", will be passed to user space.',
    ],
    re: /Unknown kernel command line parameters "(.*)", will be passed to user space/,
    fields: (m) => ({ params: (m[1] as string).split(/\s+/).filter((s) => s !== '') }),
    device: () => null,
    meaning: (f) =>
      `The kernel does not know these parameters and ignored them: ${(f['params'] as string[]).join(' ')}.${(f['params'] as string[]).some((p) => p.startsWith('pcie_acs_override')) ? ' pcie_acs_override= only exists in patched kernels (Proxmox, zen, …).' : ''}`,
  },
  {
    kind: 'dmi',
    family: 'boot',
    layer: 'firmware',
    severity: 'info',
    anchors: ['DMI: '],
    diff: null,
    examples: [
      'DMI: Supermicro X11SPi-TF/X11SPi-TF, BIOS 3.8 11/23/2022',
      '[    0.010000] DMI: ASUS System Product Name/PRIME X570-P, BIOS 4021 08/09/2021',
    ],
    re: /^DMI: (.+)$/,
    fields: (m) => ({ platform: (m[1] as string).trim() }),
    device: () => null,
    meaning: (f) => `Platform: ${String(f['platform'])}.`,
  },
  {
    kind: 'virtualization-disabled',
    family: 'boot',
    layer: 'firmware',
    severity: 'error',
    anchors: ['VMX not', 'SVM not', 'no hardware support'],
    gated: ['by bios', 'by BIOS'],
    diff: null,
    cause: 'virtualization-disabled',
    examples: [
      'kvm: disabled by bios',
      'kvm_intel: VMX not enabled (by BIOS) in MSR_IA32_FEAT_CTL',
      'kvm_amd: SVM not supported by CPU',
    ],
    re: /^(kvm(?:_intel|_amd)?): (?:(disabled by bios)|(VMX|SVM) (?:not enabled|disabled) \(by BIOS\)|(VMX|SVM) not supported by CPU|no hardware support(?: for '(\S+)')?)/i,
    fields: (m) => ({ module: m[1] as string, byFirmware: m[2] !== undefined || m[3] !== undefined, feature: m[3] ?? m[4] ?? null }),
    device: () => null,
    meaning: (f) =>
      f['byFirmware'] === true
        ? 'CPU virtualization (VT-x / AMD-V) is switched off in the firmware: no VMs at all, and usually VT-d / AMD-Vi is off too. Enable it in the BIOS/UEFI setup.'
        : 'KVM cannot use hardware virtualization on this CPU (missing, or hidden by a hypervisor).',
  },
  {
    kind: 'kernel-oops',
    family: 'boot',
    layer: 'kernel',
    severity: 'error',
    anchors: ['BUG: ', 'Oops: '],
    gated: ['RIP: '],
    diff: null,
    examples: [
      '[  539.968522] BUG: kernel NULL pointer dereference, address: 0000000000000068',
      '[  539.968564] Oops: 0000 [#1] PREEMPT SMP PTI',
      '[  539.968598] RIP: 0010:vfio_pci_core_unregister_device+0xb/0xc0 [vfio_pci_core]',
    ],
    re: /^(?:(BUG): (.*)|(Oops): (.*)|RIP: \w+:(\S+?)\+0x[0-9a-f]+\/0x[0-9a-f]+(?: \[(\S+)\])?)/,
    fields: (m) => ({ what: m[1] ?? m[3] ?? 'RIP', message: (m[2] ?? m[4] ?? null)?.trim() ?? null, function: m[5] ?? null, module: m[6] ?? null }),
    device: () => null,
    meaning: (f) =>
      f['function']
        ? `The kernel crashed in ${String(f['function'])}${f['module'] ? ` (module ${String(f['module'])})` : ''}.`
        : `Kernel ${String(f['what'])}: ${String(f['message'])}.`,
  },
  {
    kind: 'kernel-oops-cpu',
    family: 'boot',
    layer: 'kernel',
    severity: 'info',
    anchors: ['Tainted: '],
    gated: [' PID: '],
    diff: null,
    examples: [
      '[  539.968574] CPU: 3 PID: 1833 Comm: qemu-event Tainted: G           OE     5.15.48-1-MANJARO #1 39e790ef0c9819fed1e5b9b52c37097ef99c122f',
    ],
    re: /^CPU: \d+ (?:UID: \d+ )?PID: \d+ Comm: (\S+)(?: (?:Tainted|Not tainted)(?:: (.*?))?)? (\d+\.\d+\S*) #/,
    fields: (m) => ({ comm: m[1] as string, taint: m[2]?.trim() ?? null, release: m[3] as string }),
    device: () => null,
    meaning: (f) => `Crash context: process ${String(f['comm'])}, kernel ${String(f['release'])}${f['taint'] ? `, taint flags ${String(f['taint'])}` : ''}.`,
  },
];
