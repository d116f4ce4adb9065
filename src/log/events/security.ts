// Lockdown and Secure Boot lines (kernel-facts §9): they decide whether out-of-tree modules (vendor-reset,
// NVIDIA) can load and whether sysfs config-space writes are allowed.

import type { Rule } from './types.js';

export const SECURITY_RULES: Rule[] = [
  {
    kind: 'lockdown-enabled',
    family: 'security',
    layer: 'modules',
    severity: 'notice',
    anchors: ['locked down'],
    diff: null,
    examples: [
      'Kernel is locked down from EFI Secure Boot mode; see man kernel_lockdown.7',
      'Kernel is locked down from command line; see man kernel_lockdown.7',
      'Kernel is locked down from Kernel configuration; see man kernel_lockdown.7',
    ],
    re: /Kernel is locked down from (.+?); see man kernel_lockdown\.7/,
    signals: ['lockdown-active'],
    fields: (m) => ({ reason: m[1] as string, secureBoot: /Secure Boot/i.test(m[1] as string) }),
    device: () => null,
    meaning: (f) =>
      `Kernel lockdown is on (${String(f['reason'])}): unsigned modules will not load and direct PCI config writes from user space are refused.${f['secureBoot'] === true ? ' This comes from a distribution patch tying lockdown to Secure Boot.' : ''}`,
  },
  {
    kind: 'lockdown-denied',
    family: 'security',
    layer: 'modules',
    severity: 'warning',
    anchors: ['Lockdown'],
    diff: (f) => (/module/i.test(String(f['what'])) ? 'module-error' : null),
    examples: [
      'Lockdown: modprobe: unsigned module loading is restricted; see man kernel_lockdown.7',
      '[Tue Feb 4 10:18:12 2026] Lockdown: Loading of unsigned modules is restricted; see man kernel_lockdown.7',
      'Lockdown: systemd: hibernation is restricted; see man kernel_lockdown.7',
    ],
    re: /Lockdown: (?:([^:]+): )?(.+?) is restricted;? ?(?:see man kernel_lockdown\.7)?/,
    signals: ['lockdown-active'],
    fields: (m) => ({ process: m[1] ?? null, what: m[2] as string }),
    device: () => null,
    meaning: (f) =>
      /module/i.test(String(f['what']))
        ? `Lockdown refused to load an unsigned module${f['process'] ? ` (${String(f['process'])})` : ''}: out-of-tree modules such as vendor-reset or nvidia must be signed with a key the kernel trusts (MOK), or Secure Boot turned off.`
        : `Lockdown refused "${String(f['what'])}"${f['process'] ? ` to ${String(f['process'])}` : ''}.`,
  },
  {
    kind: 'secure-boot-state',
    family: 'security',
    layer: 'modules',
    severity: 'info',
    anchors: ['ecure boot'],
    diff: null,
    examples: [
      'secureboot: Secure boot enabled',
      'Secure boot disabled',
      'Secure boot could not be determined (mode 1)',
    ],
    re: /^(?:secureboot: )?Secure boot (enabled|disabled|could not be determined(?: \(mode (\d+)\))?)/,
    fields: (m) => ({ state: (m[1] as string).startsWith('could') ? 'unknown' : (m[1] as string) }),
    signals: [],
    device: () => null,
    meaning: (f) =>
      f['state'] === 'enabled'
        ? 'UEFI Secure Boot is on: modules must be signed with a trusted key; many distribution kernels also lock down.'
        : f['state'] === 'disabled'
          ? 'UEFI Secure Boot is off.'
          : 'The kernel could not tell whether Secure Boot is on.',
  },
  {
    kind: 'boot-signature-rejected',
    family: 'security',
    layer: 'kernel',
    severity: 'error',
    anchors: ['shim signature'],
    diff: null,
    origin: 'user-space',
    examples: [
      'error: bad shim signature.',
    ],
    re: /bad shim signature/,
    device: () => null,
    meaning: 'The boot loader refused the kernel image: with Secure Boot on, the kernel must be signed (install the distribution\'s signed kernel package) or its key enrolled.',
  },
];
