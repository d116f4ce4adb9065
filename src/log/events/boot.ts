// Boot context: the kernel banner and command line (the knowledge base keys on both), the platform,
// virtualization switched off in the firmware, unknown command-line parameters, and kernel oopses.

import type { Rule } from './types.js';

export const BOOT_RULES: Rule[] = [
  {
    kind: 'kernel-version',
    family: 'boot',
    severity: 'info',
    hint: 'Linux version ',
    re: /^Linux version (\S+)(?: \((.*?)\))?/,
    fields: (m) => ({ release: m[1] as string }),
    device: () => null,
    meaning: (f) => `The kernel that wrote this log is ${String(f['release'])}.`,
  },
  {
    kind: 'kernel-cmdline',
    family: 'boot',
    severity: 'info',
    hint: 'ommand line',
    re: /^(?:Kernel command line|Command line): (.*)$/,
    fields: (m) => ({ cmdline: (m[1] as string).trim() }),
    device: () => null,
    meaning: 'The kernel command line of this boot.',
  },
  {
    kind: 'cmdline-unknown-params',
    family: 'boot',
    severity: 'notice',
    hint: 'command line parameters',
    re: /Unknown kernel command line parameters "(.*)", will be passed to user space/,
    fields: (m) => ({ params: (m[1] as string).split(/\s+/).filter((s) => s !== '') }),
    device: () => null,
    meaning: (f) =>
      `The kernel does not know these parameters and ignored them: ${(f['params'] as string[]).join(' ')}.${(f['params'] as string[]).some((p) => p.startsWith('pcie_acs_override')) ? ' pcie_acs_override= only exists in patched kernels (Proxmox, zen, …).' : ''}`,
  },
  {
    kind: 'dmi',
    family: 'boot',
    severity: 'info',
    hint: 'DMI: ',
    re: /^DMI: (.+)$/,
    fields: (m) => ({ platform: (m[1] as string).trim() }),
    device: () => null,
    meaning: (f) => `Platform: ${String(f['platform'])}.`,
  },
  {
    kind: 'virtualization-disabled',
    family: 'boot',
    severity: 'error',
    hint: ' ',
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
    severity: 'error',
    hint: ' ',
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
    severity: 'info',
    hint: 'PID',
    re: /^CPU: \d+ (?:UID: \d+ )?PID: \d+ Comm: (\S+)(?: (?:Tainted|Not tainted)(?:: (.*?))?)? (\d+\.\d+\S*) #/,
    fields: (m) => ({ comm: m[1] as string, taint: m[2]?.trim() ?? null, release: m[3] as string }),
    device: () => null,
    meaning: (f) => `Crash context: process ${String(f['comm'])}, kernel ${String(f['release'])}${f['taint'] ? `, taint flags ${String(f['taint'])}` : ''}.`,
  },
];
