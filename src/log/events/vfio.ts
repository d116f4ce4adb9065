// VFIO kernel lines (vfio, vfio-pci, vfio_iommu_type1) and the vendor-reset module's lines, which are
// printed under the vfio-pci device prefix.

import { normalisePciAddress } from '../../pci/address.js';
import { who } from './engine.js';
import type { Rule } from './types.js';

const BDF = '(?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]';

export const VFIO_RULES: Rule[] = [
  {
    kind: 'vfio-loaded',
    family: 'vfio',
    layer: 'modules',
    severity: 'info',
    anchors: ['VFIO - User Level meta-driver'],
    diff: null,
    examples: [
      'VFIO - User Level meta-driver version: 0.3',
    ],
    re: /VFIO - User Level meta-driver version: (\S+)/,
    signals: ['vfio-present'],
    fields: (m) => ({ version: m[1] as string }),
    device: () => null,
    meaning: 'The vfio core (vfio.ko or built in) initialised. An early timestamp (before the root file system is mounted) usually means it is built in or in the initramfs.',
  },
  {
    kind: 'vfio-pci-id-added',
    family: 'vfio',
    layer: 'binding',
    severity: 'info',
    anchors: ['vfio_pci: add'],
    diff: null,
    examples: [
      'vfio_pci: add [10de:1e87[ffffffff:ffffffff]] class 0x000000/00000000',
    ],
    re: /^vfio_pci: add \[([0-9a-fA-F]{4}):([0-9a-fA-F]{4})\[([0-9a-fA-F]+):([0-9a-fA-F]+)\]\] class (0x[0-9a-fA-F]+)\/([0-9a-fA-F]+)/,
    signals: ['vfio-present'],
    fields: (m) => ({
      id: `${(m[1] as string).toLowerCase()}:${(m[2] as string).toLowerCase()}`,
      vendor: (m[1] as string).toLowerCase(),
      deviceId: (m[2] as string).toLowerCase(),
      subvendor: (m[3] as string).toLowerCase(),
      subdevice: (m[4] as string).toLowerCase(),
      class: (m[5] as string).toLowerCase(),
      classMask: (m[6] as string).toLowerCase(),
    }),
    device: () => null,
    meaning: (f) => `vfio-pci took ID ${String(f['id'])} from its ids= parameter: devices with this ID bind to vfio-pci when they are probed.`,
  },
  {
    kind: 'vfio-pci-id-error',
    family: 'vfio',
    layer: 'binding',
    severity: 'warning',
    anchors: ['vfio_pci'],
    diff: null,
    examples: [
      'vfio_pci: invalid id string "10de:xyz"',
    ],
    re: /^vfio_pci: (failed to add dynamic id.*|invalid id string "(.*)")/,
    fields: (m) => ({ message: m[1] as string, idString: m[2] ?? null }),
    device: () => null,
    meaning: (f) => `vfio-pci could not use its ids= parameter (${String(f['message'])}): the devices meant for it will be claimed by their host drivers.`,
  },
  {
    kind: 'vfio-denylisted',
    family: 'vfio',
    layer: 'binding',
    severity: 'error',
    anchors: ['denylist'],
    diff: null,
    examples: [
      'vfio-pci 0000:01:01.7: 8086:19e3 exists in vfio-pci device denylist, driver probing disallowed.',
    ],
    re: /([0-9a-fA-F]{4}):([0-9a-fA-F]{4}) exists in vfio-pci device denylist, driver probing disallowed/,
    fields: (m) => ({ id: `${(m[1] as string).toLowerCase()}:${(m[2] as string).toLowerCase()}` }),
    meaning: (f, _ctx, device) =>
      `vfio-pci refused ${who(device)} (${String(f['id'])}): it is on vfio-pci's built-in denylist (Intel QuickAssist). Load vfio-pci with disable_denylist=1 to override, at your own risk.`,
  },
  {
    kind: 'vfio-denylist-override',
    family: 'vfio',
    layer: 'binding',
    severity: 'notice',
    anchors: ['denylist'],
    diff: null,
    examples: [
      'vfio-pci 0000:01:01.7: device denylist disabled - allowing device 8086:19e3.',
      'vfio_pci: device denylist disabled.',
    ],
    re: /device denylist disabled(?: - allowing device ([0-9a-fA-F]{4}):([0-9a-fA-F]{4}))?/,
    fields: (m) => ({ id: m[1] !== undefined ? `${m[1].toLowerCase()}:${(m[2] as string).toLowerCase()}` : null }),
    meaning: (f) => (f['id'] ? `vfio-pci's denylist is disabled, so it binds ${String(f['id'])} anyway.` : "vfio-pci was loaded with disable_denylist=1: its device denylist is off."),
  },
  {
    kind: 'vfio-noiommu-taint',
    family: 'vfio',
    layer: 'isolation',
    severity: 'warning',
    anchors: ['vfio-noiommu'],
    diff: null,
    examples: [
      'vfio-pci 0000:03:00.0: Adding kernel taint for vfio-noiommu group on device',
    ],
    re: /Adding kernel taint for vfio-noiommu group on device/,
    signals: ['vfio-present'],
    meaning: (_f, _ctx, device) =>
      `${who(device)} was given to user space in VFIO no-IOMMU mode (vfio.enable_unsafe_noiommu_mode=1): no DMA isolation at all, and the kernel is tainted. Normal only for DPDK on hosts without an IOMMU.`,
  },
  {
    kind: 'vfio-hiding-ecap',
    family: 'vfio',
    layer: 'device',
    severity: 'info',
    anchors: ['vfio_ecap_init'],
    diff: null,
    examples: [
      'vfio-pci 0000:01:00.0: vfio_ecap_init: hiding ecap 0x19@0x900',
    ],
    re: /vfio_ecap_init: hiding ecap (0x[0-9a-fA-F]+)@(0x[0-9a-fA-F]+)/,
    era: '< 6.5',
    fields: (m) => ({ capability: (m[1] as string).toLowerCase(), offset: (m[2] as string).toLowerCase() }),
    meaning: (f) => `vfio-pci hides extended capability ${String(f['capability'])} from the guest (normal; printed at info level before 6.5).`,
  },
  {
    kind: 'vfio-intx-masked',
    family: 'vfio',
    layer: 'device',
    severity: 'info',
    anchors: ['broken INTx'],
    diff: null,
    examples: [
      'vfio-pci 0000:05:00.0: Masking broken INTx support',
    ],
    re: /Masking broken INTx support/,
    meaning: (_f, _ctx, device) => `${who(device)} is on vfio-pci's broken-INTx list; INTx masking is not used for it (MSI/MSI-X still work).`,
  },
  {
    kind: 'vfio-bar-restore',
    family: 'vfio',
    layer: 'device',
    severity: 'notice',
    anchors: ['vfio_bar_restore'],
    diff: 'reset-error',
    examples: [
      'vfio-pci 0000:01:00.0: vfio_bar_restore: reset recovery - restoring BARs',
    ],
    re: /vfio_bar_restore: reset recovery - restoring BARs/,
    meaning: (_f, _ctx, device) => `${who(device)} lost its BAR settings (it was reset behind vfio-pci's back, often a guest-initiated or failed reset); vfio-pci restored them.`,
  },
  {
    kind: 'vfio-device-enabled',
    family: 'vfio',
    layer: 'hypervisor',
    severity: 'info',
    anchors: [],
    gated: ['enabling device'],
    diff: null,
    examples: [
      'Jan 31 09:12:03 server kernel: vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)',
      '[    1.000000] vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)',
      'Jan 31 09:12:02 pve kernel: vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)',
    ],
    re: /^enabling device \((\w+) -> (\w+)\)/,
    when: (_m, ctx) => /vfio/.test(ctx.parsed.device?.driver ?? ''),
    signals: ['vfio-present'],
    fields: (m) => ({ from: m[1] as string, to: m[2] as string }),
    meaning: (_f, _ctx, device) => `vfio-pci enabled ${who(device)}: a VM (or other VFIO user) opened it.`,
  },
  {
    kind: 'vfio-memlock-exceeded',
    family: 'vfio',
    layer: 'hypervisor',
    severity: 'error',
    anchors: ['RLIMIT_MEMLOCK'],
    diff: null,
    cause: 'memlock-limit',
    examples: [
      '[  365.159219] vfio_pin_pages_remote: RLIMIT_MEMLOCK (4194304) exceeded',
    ],
    re: /(vfio_pin_pages_remote|\w+): RLIMIT_MEMLOCK \((\d+)\) exceeded/,
    fields: (m) => ({ function: m[1] as string, limitBytes: Number(m[2]) }),
    device: () => null,
    meaning: (f) =>
      `VFIO could not pin guest memory: the VM process may lock only ${String(f['limitBytes'])} bytes. All guest RAM is pinned for device DMA, so raise the memlock limit (LimitMEMLOCK=, ulimit -l) to at least the guest memory size.`,
  },
  {
    kind: 'vfio-stuck-in-d3',
    family: 'vfio',
    layer: 'device',
    severity: 'error',
    anchors: ['stuck in D3'],
    diff: 'd3',
    cause: 'stuck-in-d3',
    origin: 'user-space',
    examples: [
      'vfio: Unable to power on device, stuck in D3',
    ],
    re: /Unable to power on device, stuck in D3/,
    meaning: (_f, _ctx, device) =>
      `${who(device)} could not be brought out of D3 (low power): the VMM (QEMU) gives up. Often vfio-pci's idle runtime PM put it in D3cold; try vfio-pci disable_idle_d3=1, or check the power state and reset support.`,
  },
  {
    kind: 'vendor-reset',
    family: 'vfio',
    layer: 'device',
    severity: 'info',
    anchors: [],
    gated: ['AMD_'],
    diff: null,
    examples: [
      '[  539.494792] vfio-pci 0000:01:00.0: AMD_POLARIS10: version 1.1',
      '[  539.511287] vfio-pci 0000:01:00.0: AMD_POLARIS10: Performing BACO reset',
      '[  539.691163] vfio-pci 0000:01:00.0: AMD_POLARIS10: reset result = 0',
    ],
    re: /^(AMD_[A-Z0-9_]+): (.*)$/,
    fields: (m) => {
      const msg = (m[2] as string).trim();
      const r = /reset result = (-?\d+)/.exec(msg);
      return { chip: m[1] as string, step: msg, result: r ? Number(r[1]) : null };
    },
    severityOf: (f) => (typeof f['result'] === 'number' && f['result'] !== 0 ? 'error' : 'info'),
    meaning: (f, _ctx, device) =>
      typeof f['result'] === 'number'
        ? `vendor-reset finished its ${String(f['chip'])} reset of ${who(device)} with result ${String(f['result'])}${f['result'] === 0 ? ' (success)' : ' (failure)'}.`
        : `vendor-reset (${String(f['chip'])}) on ${who(device)}: ${String(f['step'])}.`,
  },
  {
    kind: 'vfio-group-not-viable',
    family: 'hypervisor',
    layer: 'isolation',
    severity: 'error',
    anchors: ['not viable'],
    diff: null,
    cause: 'group-shared',
    origin: 'user-space',
    examples: [
      'qemu-system-x86_64: -device vfio-pci,host=01:00.0,multifunction=on: vfio error: 0000:01:00.0: group 1 is not viable',
      'vfio group X is not viable, please ensure all devices within the iommu group are bound to their vfio bus driver',
      'EAL: 0000:44:00.3 VFIO group is not viable! Not all devices in IOMMU group bound to VFIO or unbound',
    ],
    re: new RegExp(`(?:(${BDF}):? )?(?:VFIO |vfio )?group(?: (\\S+?),?)? is not viable`),
    fields: (m) => ({ group: m[2] === undefined ? null : /^\d+$/.test(m[2]) ? Number(m[2]) : m[2] }),
    device: (m, ctx) => (m[1] !== undefined ? normalizeDevice(m[1]) : (ctx.parsed.device?.address ?? null)),
    meaning: (f, _ctx, device) =>
      `The VMM could not use ${f['group'] === null ? 'the IOMMU group' : `IOMMU group ${String(f['group'])}`}${device ? ` of ${device}` : ''}: some device in the group is still owned by a host driver. Every endpoint in the group (e.g. the GPU's audio function, sibling NIC ports) must be bound to vfio-pci or left unbound; since 5.19 any driver without driver_managed_dma counts against it.`,
  },
  {
    kind: 'vfio-container-failed',
    family: 'hypervisor',
    layer: 'hypervisor',
    severity: 'error',
    anchors: ['setup container', 'iommu for container'],
    diff: null,
    origin: 'user-space',
    examples: [
      '            2021-11-04T10:57:09.827813Z qemu-kvm: -device vfio-pci,host=0000:af:04.7,id=ua-sriov-sriov-vlan,bus=pci.6,addr=0x0: vfio 0000:af:04.7: failed to setup container for group 106: failed to open /dev/vfio/vfio:',
      '2021-11-04T10:57:09.827813Z qemu-kvm: -device vfio-pci,host=0000:af:04.7: vfio 0000:af:04.7: failed to setup container for group 106: failed to open /dev/vfio/vfio:',
    ],
    re: new RegExp(`(?:vfio (${BDF}): )?failed to (?:setup container for group (\\d+)|set iommu for container): ?(.*)$`),
    fields: (m) => ({ group: m[2] !== undefined ? Number(m[2]) : null, reason: (m[3] ?? '').trim() }),
    device: (m) => (m[1] !== undefined ? normalizeDevice(m[1]) : null),
    meaning: (f) => {
      const reason = String(f['reason']);
      if (/\/dev\/vfio\/vfio/.test(reason)) return 'The VMM could not open /dev/vfio/vfio: check the node exists (vfio loaded) and that the VMM user may open it (mode, owner, container device rules).';
      if (/Operation not permitted/.test(reason)) return 'The IOMMU refused the container (EPERM): typically an RMRR-locked device, or no interrupt remapping (look for the matching kernel line).';
      if (/Invalid argument/.test(reason)) return 'The IOMMU refused to attach the group (EINVAL): look for "Firmware has requested this device have a 1:1 IOMMU mapping" or a group/driver mismatch in the kernel log.';
      return `The VMM could not set up the VFIO container: ${reason}.`;
    },
  },
  {
    kind: 'vfio-node-unavailable',
    family: 'hypervisor',
    layer: 'hypervisor',
    severity: 'error',
    anchors: ['/dev/vfio/'],
    diff: null,
    origin: 'user-space',
    examples: [
      'lstat /dev/vfio/devices/vfio0: no such file or directory',
      'kvm: -device vfio-pci,host=0000:01:00.0,id=hostpci0,bus=ich9-pcie-port-1,addr=0x0: vfio 0000:01:00.0: failed to open /dev/vfio/1: No such file or directory',
    ],
    re: /(?:lstat |open |failed to open )?(\/dev\/vfio\/(?:devices\/vfio\d+|\d+|vfio)): (no such file or directory|No such file or directory|Permission denied|permission denied)/,
    fields: (m) => ({ node: m[1] as string, error: (m[2] as string).toLowerCase() }),
    device: () => null,
    meaning: (f) =>
      /devices\/vfio/.test(String(f['node'])) && /no such file/.test(String(f['error']))
        ? `${String(f['node'])} does not exist: the kernel has no VFIO device cdev (CONFIG_VFIO_DEVICE_CDEV, 6.6+, needs IOMMUFD). Use the group interface (/dev/vfio/<group>) or a kernel with the cdev.`
        : /permission/.test(String(f['error']))
          ? `${String(f['node'])} exists but the VMM may not open it: fix the node's owner/mode (udev rule, group kvm/vfio) rather than running the VM as root.`
          : `${String(f['node'])} does not exist: vfio is not loaded or the device is not bound to vfio-pci.`,
  },
  {
    kind: 'libvirt-vfio-unsupported',
    family: 'hypervisor',
    layer: 'hypervisor',
    severity: 'error',
    anchors: ['VFIO device assig'],
    diff: null,
    cause: 'iommu-inactive',
    origin: 'user-space',
    examples: [
      'error: argument unsupported: VFIO device assigment is currently not supported on this system',
    ],
    re: /VFIO device assign?ment is currently not supported on this system/,
    device: () => null,
    meaning:
      'libvirt found no working VFIO: usually the IOMMU is not active (VT-d/AMD-Vi off in the firmware or missing from the command line), so there are no IOMMU groups.',
  },
];

function normalizeDevice(text: string): string {
  return normalisePciAddress(text) ?? text.toLowerCase();
}
