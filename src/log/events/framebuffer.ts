// Boot framebuffers (simpledrm, simplefb, efifb, vesafb, the sysfb "BOOTFB" resource) and initcall
// blacklisting: the firmware framebuffer sits inside the boot GPU's BAR and blocks vfio-pci's request.

import type { Rule } from './types.js';

const ON_BAR =
  'It lives inside the boot GPU\'s BAR; until it is released, vfio-pci gets "BAR n: can\'t reserve" for that GPU.';

export const FRAMEBUFFER_RULES: Rule[] = [
  {
    kind: 'boot-framebuffer',
    family: 'framebuffer',
    severity: 'info',
    hint: 'simpledrm',
    re: /\[drm\] Initialized simpledrm (\S+)(?: \d+)? for (\S+) on minor (\d+)/,
    signals: ['boot-framebuffer'],
    era: '>= 5.14',
    fields: (m) => ({ driver: 'simpledrm', version: m[1] as string, platformDevice: m[2] as string, base: null }),
    device: () => null,
    meaning: `simpledrm took over the firmware framebuffer (the sysfb "BOOTFB" region). ${ON_BAR} initcall_blacklist=sysfb_init does not stop a built-in simpledrm on every kernel.`,
  },
  {
    kind: 'boot-framebuffer',
    family: 'framebuffer',
    severity: 'info',
    hint: 'framebuffer at',
    re: /^(efifb|vesafb|simplefb): framebuffer at (0x[0-9a-fA-F]+)/,
    signals: ['boot-framebuffer'],
    fields: (m) => ({ driver: m[1] as string, version: null, platformDevice: null, base: (m[2] as string).toLowerCase() }),
    device: () => null,
    meaning: (f) =>
      `${String(f['driver'])} drives the firmware framebuffer at ${String(f['base'])}. ${ON_BAR} ${f['driver'] === 'efifb' || f['driver'] === 'vesafb' ? `video=${String(f['driver'])}:off keeps it away on kernels that still use ${String(f['driver'])}.` : ''}`.trim(),
  },
  {
    kind: 'boot-framebuffer',
    family: 'framebuffer',
    severity: 'info',
    hint: 'frame buffer device',
    re: /fb(\d+): (EFI VGA|VESA VGA|simple|simplefb|simpledrmdrmfb|simpledrm) frame buffer device/,
    signals: ['boot-framebuffer'],
    fields: (m) => ({ driver: /EFI/.test(m[2] as string) ? 'efifb' : /VESA/.test(m[2] as string) ? 'vesafb' : /drm/.test(m[2] as string) ? 'simpledrm' : 'simplefb', version: null, platformDevice: null, base: null, fb: Number(m[1]) }),
    device: () => null,
    meaning: (f) => `A firmware framebuffer console (${String(f['driver'])}) is active. ${ON_BAR}`,
  },
  {
    kind: 'fb-handover',
    family: 'framebuffer',
    severity: 'info',
    hint: 'switching to',
    re: /fb(\d+): switching to (\S+) from (.+)$/,
    fields: (m) => ({ to: m[2] as string, from: (m[3] as string).trim() }),
    device: () => null,
    meaning: (f) => `The native driver ${String(f['to'])} replaced the firmware framebuffer (${String(f['from'])}): that GPU is in use by the host.`,
  },
  {
    kind: 'initcall-blacklisted',
    family: 'framebuffer',
    severity: 'notice',
    hint: 'initcall',
    re: /^(?:blacklisting initcall (\S+)|initcall (\S+) blacklisted)/,
    fields: (m) => ({ initcall: (m[1] ?? m[2]) as string }),
    device: () => null,
    meaning: (f) =>
      f['initcall'] === 'sysfb_init'
        ? 'initcall_blacklist=sysfb_init is in effect: no simple-framebuffer device is registered for the boot GPU, so simplefb/simpledrm should not claim its BAR (a built-in simpledrm on some kernels still does).'
        : `initcall ${String(f['initcall'])} is skipped (initcall_blacklist=).`,
  },
  {
    kind: 'iomem-framebuffer',
    family: 'framebuffer',
    severity: 'warning',
    hint: ' : ',
    re: /^\s*([0-9a-fA-F]+)-([0-9a-fA-F]+) : (BOOTFB|simpledrm|efifb|vesafb|vesafb|simple-framebuffer\.\d+)\s*$/,
    signals: ['boot-framebuffer'],
    fields: (m) => ({ start: `0x${(m[1] as string).toLowerCase()}`, end: `0x${(m[2] as string).toLowerCase()}`, name: m[3] as string }),
    device: () => null,
    meaning: (f) =>
      `/proc/iomem shows ${String(f['name'])} holding ${String(f['start'])}-${String(f['end'])}. If that range lies inside a GPU's BAR, vfio-pci cannot reserve the BAR for a VM.`,
  },
];
