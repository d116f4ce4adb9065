// Boot framebuffers (simpledrm, simplefb, efifb, vesafb, the sysfb "BOOTFB" resource) and initcall
// blacklisting: the firmware framebuffer sits inside the boot GPU's BAR and blocks vfio-pci's request.

import type { Fields, Rule } from './types.js';

const ON_BAR =
  'It lives inside the boot GPU\'s BAR; until it is released, vfio-pci gets "BAR n: can\'t reserve" for that GPU.';

const HANDOVER = (f: Fields): string =>
  `The native driver ${String(f['to'])} replaced the firmware framebuffer (${String(f['from'])}): that GPU is in use by the host.`;

export const FRAMEBUFFER_RULES: Rule[] = [
  {
    kind: 'boot-framebuffer',
    family: 'framebuffer',
    layer: 'device',
    severity: 'info',
    anchors: ['simpledrm'],
    diff: null,
    examples: [
      '[drm] Initialized simpledrm 1.0.0 for simple-framebuffer.0 on minor 0',
      '[drm] Initialized simpledrm 1.0.0 20200625 for simple-framebuffer.0 on minor 0',
      '[    1.600000] [drm] Initialized simpledrm 1.0.0 for simple-framebuffer.0 on minor 0',
    ],
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
    layer: 'device',
    severity: 'info',
    anchors: ['efifb', 'vesafb', 'simplefb'],
    diff: null,
    examples: [
      'efifb: framebuffer at 0xe0000000, using 3072k, total 3072k',
      'vesafb: framebuffer at 0xf4000000, mapped to 0x00000000f7b2bd7c, using 3072k, total 16384k',
    ],
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
    layer: 'device',
    severity: 'info',
    anchors: ['frame buffer device'],
    diff: null,
    examples: [
      'fb0: EFI VGA frame buffer device',
      'simple-framebuffer simple-framebuffer.0: [drm] fb0: simpledrmdrmfb frame buffer device',
    ],
    re: /fb(\d+): (EFI VGA|VESA VGA|simple|simplefb|simpledrmdrmfb|simpledrm) frame buffer device/,
    signals: ['boot-framebuffer'],
    fields: (m) => ({ driver: /EFI/.test(m[2] as string) ? 'efifb' : /VESA/.test(m[2] as string) ? 'vesafb' : /drm/.test(m[2] as string) ? 'simpledrm' : 'simplefb', version: null, platformDevice: null, base: null, fb: Number(m[1]) }),
    device: () => null,
    meaning: (f) => `A firmware framebuffer console (${String(f['driver'])}) is active. ${ON_BAR}`,
  },
  {
    kind: 'fb-handover',
    family: 'framebuffer',
    layer: 'device',
    severity: 'info',
    anchors: [],
    gated: ['switching to'],
    diff: null,
    examples: [
      'fb0: switching to amdgpudrmfb from simple',
      'fb0: switching to inteldrmfb from EFI VGA',
    ],
    re: /fb(\d+): switching to (\S+) from (.+)$/,
    fields: (m) => ({ to: m[2] as string, from: (m[3] as string).trim() }),
    device: () => null,
    meaning: HANDOVER,
  },
  {
    // The same handover as printed by kernels before 4.x moved it to "switching to".
    kind: 'fb-handover',
    family: 'framebuffer',
    layer: 'device',
    severity: 'info',
    anchors: [],
    gated: ['conflicting'],
    diff: null,
    examples: [
      'fb: conflicting fb hw usage inteldrmfb vs EFI VGA - removing generic driver',
      '[   17.600686] fb: conflicting fb hw usage inteldrmfb vs VESA VGA - removing generic driver',
      'fb: conflicting fb hw usage radeondrmfb vs VESA VGA - removing generic driver',
    ],
    re: /^fb\d*: conflicting fb hw usage (\S+) vs (.+?) - removing generic driver/,
    fields: (m) => ({ to: m[1] as string, from: (m[2] as string).trim() }),
    device: () => null,
    meaning: HANDOVER,
  },
  {
    kind: 'initcall-blacklisted',
    family: 'framebuffer',
    layer: 'device',
    severity: 'notice',
    anchors: [],
    gated: ['initcall'],
    diff: null,
    examples: [
      'blacklisting initcall sysfb_init',
      'initcall sysfb_init blacklisted',
      '[    1.700000] blacklisting initcall sysfb_init',
    ],
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
    layer: 'device',
    severity: 'warning',
    anchors: ['BOOTFB', 'simpledrm', 'efifb', 'vesafb', 'simple-framebuffer'],
    diff: null,
    origin: 'procfs',
    examples: [
      '  2800000000-2801fa3fff : BOOTFB',
      '    2800000000-2801fa3fff : simpledrm',
    ],
    re: /^\s*([0-9a-fA-F]+)-([0-9a-fA-F]+) : (BOOTFB|simpledrm|efifb|vesafb|vesafb|simple-framebuffer\.\d+)\s*$/,
    signals: ['boot-framebuffer'],
    fields: (m) => ({ start: `0x${(m[1] as string).toLowerCase()}`, end: `0x${(m[2] as string).toLowerCase()}`, name: m[3] as string }),
    device: () => null,
    meaning: (f) =>
      `/proc/iomem shows ${String(f['name'])} holding ${String(f['start'])}-${String(f['end'])}. If that range lies inside a GPU's BAR, vfio-pci cannot reserve the BAR for a VM.`,
  },
];
