// Lockdown and Secure Boot lines (kernel-facts §9): they decide whether out-of-tree modules (vendor-reset,
// NVIDIA) can load and whether sysfs config-space writes are allowed.

import type { Rule } from './types.js';

export const SECURITY_RULES: Rule[] = [
  {
    kind: 'lockdown-enabled',
    family: 'security',
    severity: 'notice',
    hint: 'locked down',
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
    severity: 'warning',
    hint: 'is restricted',
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
    severity: 'info',
    hint: 'ecure boot',
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
    severity: 'error',
    hint: 'shim signature',
    re: /bad shim signature/,
    device: () => null,
    meaning: 'The boot loader refused the kernel image: with Secure Boot on, the kernel must be signed (install the distribution\'s signed kernel package) or its key enrolled.',
  },
];
