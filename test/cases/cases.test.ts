// Every real case in ../shared/cases, fed to the analyze pipeline exactly as posted (the fenced output
// blocks), must reach the root cause the thread arrived at. A new case is a new file there: without an
// entry below, its "root-cause layer" label decides what is accepted. This is the acceptance run, outside
// `npm test` (which needs nothing beside the clone): `npm run test:cases`.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { caseOutputsDir, sharedDir } from '../helpers/paths.js';
import { readPaste } from '../../src/paste/read-paste.js';
import { analyzeCaptured } from '../../src/paste/targets.js';
import type { Report } from '../../src/analyze/analyze.js';
import type { Layer } from '../../src/analyze/layers.js';
import { verbatimBlocks } from './blocks.js';

const casesDir = path.join(sharedDir, 'cases');

type LayerCause = readonly [Layer, string];

/** What each label of the case files means in verdict terms (layer and cause). */
const LABELS: Record<string, LayerCause[]> = {
  firmware: [['firmware', 'iommu-disabled-firmware'], ['firmware', 'rmrr-blocked'], ['firmware', 'virtualization-disabled']],
  'kernel-cmdline': [['kernel', 'iommu-disabled-cmdline'], ['kernel', 'iommu-inactive'], ['kernel', 'iommu-args-invalid']],
  binding: [['binding', 'host-driver-bound'], ['binding', 'companion-not-bound']],
  'module-missing': [['modules', 'module-missing'], ['modules', 'module-renamed'], ['modules', 'vfio-builtin-options-ignored'], ['modules', 'initramfs-missing-vfio']],
  grouping: [['isolation', 'group-shared'], ['binding', 'companion-not-bound']],
  'bar-conflict': [['device', 'bar-conflict']],
  reset: [['device', 'reset-unsupported'], ['device', 'reset-failed'], ['device', 'stuck-in-d3']],
  'dma-fault': [['device', 'dma-fault']],
  'irq-remap': [['kernel', 'irq-remap-missing']],
  'secure-boot': [['modules', 'module-signature-rejected']],
  memlock: [['hypervisor', 'memlock-limit']],
  permissions: [['hypervisor', 'vfio-node-permissions']],
  'hypervisor-config': [['hypervisor', 'vm-config-mismatch']],
};

/**
 * What a text that cannot settle its cause must show instead: the missing check that names the command
 * to run, and the lines that command would print. Those lines are not in the case (checked); appended to
 * it, they decide (`then`).
 */
interface SettledBy {
  missing: { layer: Layer; settle: RegExp };
  /** What that command prints (with its prompt). */
  lines: string;
  /** The line among them that decides: not in the case. */
  decisive: RegExp;
  then: LayerCause;
}

type Expected =
  | { status: 'broken'; layer: Layer; cause: string; why: string }
  | { status: 'warning'; layer: Layer; cause: string; why: string; settledBy?: SettledBy }
  | { status: 'undetermined'; layer: Layer; why: string; settledBy: SettledBy };

// An ACPI table listing without a DMAR or IVRS table, in the kernel's format (as in test/fixtures/vm/no-iommu).
const TABLES_WITHOUT_IOMMU = [
  '$ sudo dmesg | grep "ACPI: "',
  '[    0.000000] ACPI: RSDP 0x00000000000F59D0 000014 (v00 BOCHS )',
  '[    0.000000] ACPI: RSDT 0x000000005FFE2332 000038 (v01 BOCHS  BXPC     00000001 BXPC 00000001)',
  '[    0.000000] ACPI: FACP 0x000000005FFE212A 0000F4 (v03 BOCHS  BXPC     00000001 BXPC 00000001)',
  '[    0.000000] ACPI: DSDT 0x000000005FFE0040 0020EA (v01 BOCHS  BXPC     00000001 BXPC 00000001)',
  '[    0.000000] ACPI: APIC 0x000000005FFE221E 000078 (v01 BOCHS  BXPC     00000001 BXPC 00000001)',
  '[    0.000000] ACPI: MCFG 0x000000005FFE22CE 00003C (v01 BOCHS  BXPC     00000001 BXPC 00000001)',
].join('\n');

// The exact outcome per case, decided from its notes (several are traps: the loudest message is not the cause).
const EXPECTED: Record<string, Expected> = {
  '01-vtd-disabled-bios-popos.md': {
    status: 'warning',
    layer: 'firmware',
    cause: 'iommu-disabled-firmware',
    why: 'The only output is libvirt\'s "VFIO device assignment is currently not supported", which libvirt prints when /sys/kernel/iommu_groups is empty or /dev/vfio/vfio is missing: the first layer that can cause it is the firmware, a warning only, since it cannot tell VT-d off in the firmware from a missing intel_iommu=on or an unloaded vfio. The firmware\'s ACPI table listing settles it.',
    settledBy: { missing: { layer: 'firmware', settle: /DMAR/ }, lines: TABLES_WITHOUT_IOMMU, decisive: /^\[[ .\d]+\] ACPI: RSDT /m, then: ['firmware', 'iommu-disabled-firmware'] },
  },

  '02-harvester-iommu-args-missing-after-upgrade.md': {
    status: 'broken',
    layer: 'kernel',
    cause: 'iommu-inactive',
    why: 'vfio-pci refusing 65:00.0 with -22 means it had no IOMMU group; the post-fix "DMAR: IOMMU enabled" line only says intel_iommu=on was parsed. With no command line of the broken boot pasted, the kernel layer says DMA remapping is not active.',
  },
  '07-nvidia-driver-holds-gpu-group-not-viable.md': {
    status: 'broken',
    layer: 'binding',
    cause: 'host-driver-bound',
    why: 'Trap: "group 1 is not viable" reads like grouping, but group 1 holds only the root port and the GPU, so the GPU itself is on a host driver (nvidia).',
  },
  '10-snd-hda-intel-holds-gpu-audio-detach-hangs.md': {
    status: 'undetermined',
    layer: 'binding',
    why: 'Only the hook variables and a group listing were posted: the groups are fine (trap), and which driver holds 02:00.1 (snd_hda_intel in the thread) is not in the output. The hook names the two functions, so the binding layer is the one left open, with lspci -nnk as the settling command; nothing points at the kernel layer, whose interrupt remapping is also unknown.',
    settledBy: {
      missing: { layer: 'binding', settle: /lspci -nnk -s 0000:02:00\.1/ },
      lines: '$ lspci -nnk -s 02:00.1\n02:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)\n\tKernel driver in use: snd_hda_intel\n\tKernel modules: snd_hda_intel',
      decisive: /Kernel driver in use: snd_hda_intel/,
      then: ['binding', 'host-driver-bound'],
    },
  },

  '12-dracut-vfio-virqfd-missing-fedora39.md': {
    status: 'broken',
    layer: 'modules',
    cause: 'module-renamed',
    why: 'dracut aborts on vfio_virqfd for 6.6.9: merged into vfio in 6.2; the initramfs is not rebuilt.',
  },
  '14-proxmox8-modprobe-vfio-virqfd-not-found.md': {
    status: 'warning',
    layer: 'modules',
    cause: 'module-renamed',
    why: 'The one line is the modprobe error for vfio_virqfd, merged into vfio in 6.2: a module-renamed warning (noisy, harmless once the module list is cleaned). A line that proves a warning outranks the silence about the earlier layers.',
  },

  '15-ubuntu2004-vfio-now-builtin.md': {
    status: 'warning',
    layer: 'modules',
    cause: 'vfio-builtin-options-ignored',
    why: 'The config diff shows CONFIG_VFIO_PCI going from m to y, so modprobe.d options and softdeps stop applying: the ids must move to the kernel command line.',
  },

  '18-dra-companion-audio-not-bound-group-not-viable.md': {
    status: 'broken',
    layer: 'binding',
    cause: 'companion-not-bound',
    why: 'The group (the only one listed) holds 86:00.0 and 86:00.1, two functions of one GPU; "not viable" then means a sibling function is not on vfio-pci.',
  },
  '19-dpdk-x710-group-not-viable.md': {
    status: 'broken',
    layer: 'binding',
    cause: 'companion-not-bound',
    why: 'dpdk-devbind shows 44:00.3 on vfio-pci and its sibling functions 44:00.0-.2 on i40e.',
  },
  '24-talos-simpledrm-bar0-cant-reserve.md': {
    status: 'broken',
    layer: 'device',
    cause: 'bar-conflict',
    why: '/proc/iomem shows BOOTFB/simpledrm inside c3:00.0\'s BAR and vfio-pci cannot reserve BAR 0; the guest amdgpu errors are a consequence.',
  },
  '28-vendor-reset-kernel-5.15-reset-method.md': {
    status: 'broken',
    layer: 'device',
    cause: 'reset-unsupported',
    why: 'The kernel refuses device_specific for 0f:00.0: vendor-reset\'s reset is not selectable, the 5.15 reset_method change; the Oops on shutdown is not the cause.',
  },
  '29-vfio-stuck-in-d3-disable-idle-d3.md': {
    status: 'broken',
    layer: 'device',
    cause: 'stuck-in-d3',
    why: 'QEMU\'s "Unable to power on device, stuck in D3" (fixed by disable_idle_d3=1).',
  },
  '32-relaxable-rmrr-kernel-lsi-hba.md': {
    status: 'warning',
    layer: 'firmware',
    cause: 'rmrr-blocked',
    why: 'The output is from after the fix: the firmware\'s RMRR table is still broken ("[Firmware Bug] ... bad RMRR"), and passthrough works only because the running kernel is the relaxable-RMRR build; a stock kernel brings the refusal back.',
  },

  '35-gen12-igpu-gsmbase-host-address-dma-fault.md': {
    status: 'broken',
    layer: 'device',
    cause: 'dma-fault',
    why: 'A DMAR fault record (PTE Read access is not set); the device is elided in the post.',
  },
  '37-kernel-built-without-irq-remap.md': {
    status: 'broken',
    layer: 'kernel',
    cause: 'irq-remap-missing',
    why: '"x2apic: IRQ remapping doesn\'t support X2APIC mode": the kernel has no interrupt remapping.',
  },
  '42-pve-vgpu-installer-unsigned-kernel-secureboot.md': {
    status: 'broken',
    layer: 'modules',
    cause: 'module-signature-rejected',
    why: 'The module-signing certificate is not DER, so the vGPU module cannot be signed for Secure Boot.',
  },
  '43-cloud-hypervisor-rlimit-memlock.md': {
    status: 'broken',
    layer: 'hypervisor',
    cause: 'memlock-limit',
    why: 'vfio_pin_pages_remote hit RLIMIT_MEMLOCK (4 MiB) while pinning guest memory.',
  },
  '45-kubevirt-dev-vfio-vfio-0600.md': {
    status: 'broken',
    layer: 'hypervisor',
    cause: 'vfio-node-permissions',
    why: 'QEMU cannot open /dev/vfio/vfio, and ls shows it 0600 root:root.',
  },
  '48-kubevirt-1.9-upgrade-vfio-cdev-missing.md': {
    status: 'broken',
    layer: 'hypervisor',
    cause: 'vm-config-mismatch',
    why: 'KubeVirt asks for /dev/vfio/devices/vfio0, a cdev this kernel does not provide.',
  },
};

function labelOf(markdown: string): string | null {
  const m = /^- root-cause layer: (\S+)/m.exec(markdown);
  return m ? m[1]!.replace(/[.,;]$/, '') : null;
}

function describe(r: Report): string {
  return [
    `verdict ${JSON.stringify(r.verdict)}`,
    ...r.findings.map((f) => `  ${f.severity} ${f.layer}/${f.cause} ${f.subject ?? ''} ${f.title}`),
    ...r.unchecked.map((u) => `  unchecked ${u.layer} ${u.id}: ${u.settle}`),
  ].join('\n');
}

const files = fs.existsSync(casesDir) ? fs.readdirSync(casesDir).filter((f) => /^\d+.*\.md$/.test(f)).sort() : [];

test('the shared cases directory holds cases', () => {
  assert.ok(files.length > 0, `no case files in ${casesDir}`);
});

test('the repository holds every case\'s output, verbatim (test/fixtures/cases, read by npm test)', () => {
  for (const file of files) {
    const copy = path.join(caseOutputsDir, file.replace(/\.md$/, '.txt'));
    assert.ok(fs.existsSync(copy), `${file}: no copy of its output at ${copy}`);
    assert.equal(fs.readFileSync(copy, 'utf8'), verbatimBlocks(fs.readFileSync(path.join(casesDir, file), 'utf8')), `${copy} differs from the output in ${file}`);
  }
});

for (const file of files) {
  test(`case ${file}`, async () => {
    const md = fs.readFileSync(path.join(casesDir, file), 'utf8');
    const text = verbatimBlocks(md);
    const { snapshot } = await readPaste([{ name: file, bytes: Buffer.from(text) }]);
    const r = analyzeCaptured(snapshot);
    const exp = EXPECTED[file];
    if (!exp) {
      const label = labelOf(md);
      assert.ok(label && LABELS[label], `${file}: no entry in EXPECTED and its root-cause label "${label}" is not in LABELS`);
      const accepted = LABELS[label]!;
      const decides = r.verdict.status === 'broken' || r.verdict.status === 'warning';
      const hit = decides
        ? accepted.some(([l, c]) => l === r.verdict.layer && c === r.verdict.cause)
        : r.verdict.status === 'undetermined' && r.findings.some((f) => accepted.some(([l, c]) => l === f.layer && c === f.cause));
      assert.ok(hit, `${file} (label ${label}) expected one of ${accepted.map((a) => a.join('/')).join(', ')}\n${describe(r)}`);
      return;
    }
    assert.equal(r.verdict.status, exp.status, `${file}: ${exp.why}\n${describe(r)}`);
    assert.equal(r.verdict.layer, exp.layer, `${file}: ${exp.why}\n${describe(r)}`);
    if (exp.status !== 'undetermined') {
      assert.equal(r.verdict.cause, exp.cause, `${file}: ${exp.why}\n${describe(r)}`);
      // The table agrees with the label of the case file.
      const label = labelOf(md);
      if (label && LABELS[label]) assert.ok(LABELS[label]!.some(([l, c]) => l === exp.layer && c === exp.cause), `${file}: table entry disagrees with label ${label}`);
    }
    const by = exp.status === 'broken' ? undefined : exp.settledBy;
    if (by) {
      // Which line would settle it: named by a missing check, absent from the case, and deciding once added.
      const checks = exp.status === 'undetermined' ? r.verdict.missing : r.unchecked;
      assert.ok(
        checks.some((m) => m.layer === by.missing.layer && m.settle !== null && by.missing.settle.test(m.settle)),
        `${file}: expected a missing ${by.missing.layer} check settled by ${by.missing.settle}\n${describe(r)}`,
      );
      assert.ok(by.decisive.test(by.lines) && !by.decisive.test(text), `${file}: the settling line ${by.decisive} must be in the settling output and not in the case`);
      const more = await readPaste([{ name: file, bytes: Buffer.from(`${text}${by.lines}\n`) }]);
      const then = analyzeCaptured(more.snapshot);
      assert.deepEqual([then.verdict.status, then.verdict.layer, then.verdict.cause], ['broken', ...by.then], `${file} with the settling lines\n${describe(then)}`);
      const label = labelOf(md);
      if (label && LABELS[label]) assert.ok(LABELS[label]!.some(([l, c]) => l === by.then[0] && c === by.then[1]), `${file}: settled cause disagrees with label ${label}`);
    }
  });
}

// Recognition must not depend on the order of the blocks, on indentation (forum quoting), on CRLF line
// ends or on terminal colours: every variant reaches the same verdict as the original.
function blocksOf(text: string): string[] {
  return text.split(/^```$/m).map((b) => b.replace(/^\n+|\n+$/g, '')).filter((b) => b.trim() !== '');
}

const VARIANTS: [string, (text: string) => string][] = [
  ['blocks in reverse order', (t) => blocksOf(t).reverse().map((b) => '```\n' + b + '\n```').join('\n') + '\n'],
  ['CRLF line ends', (t) => t.replace(/\n/g, '\r\n')],
  ['colour codes on every line', (t) => t.split('\n').map((l) => (l === '' || l === '```' ? l : `\x1b[1;32m${l}\x1b[0m`)).join('\n')],
  ['indented four spaces (forum quoting)', (t) => t.split('\n').map((l) => (l === '' ? l : `    ${l}`)).join('\n')],
  ['quoted with "> "', (t) => blocksOf(t).map((b) => b.split('\n').map((l) => `> ${l}`).join('\n')).join('\n\n') + '\n'],
];

for (const file of files) {
  test(`case ${file}: same verdict whatever the order, indentation, line ends and colours`, async () => {
    const text = verbatimBlocks(fs.readFileSync(path.join(casesDir, file), 'utf8'));
    const verdict = async (t: string) => {
      const { snapshot } = await readPaste([{ name: file, bytes: Buffer.from(t) }]);
      const v = analyzeCaptured(snapshot).verdict;
      return `${v.status} ${v.layer} ${v.cause}`;
    };
    const want = await verdict(text);
    for (const [name, change] of VARIANTS) assert.equal(await verdict(change(text)), want, `${file}: ${name}`);
  });
}
