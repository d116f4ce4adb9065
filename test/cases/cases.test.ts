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

type Expected =
  | { status: 'broken'; layer: Layer; cause: string; why: string }
  | {
      status: 'undetermined';
      /** A finding that must be there, though it does not decide. */
      finding?: LayerCause;
      /** Some missing check of this layer must name a command matching `settle`. */
      missing: { layer: Layer; settle: RegExp };
      why: string;
    };

// The exact outcome per case, decided from its notes (several are traps: the loudest message is not the cause).
const EXPECTED: Record<string, Expected> = {
  '01-vtd-disabled-bios-popos.md': {
    status: 'undetermined',
    missing: { layer: 'firmware', settle: /DMAR/ },
    why: 'The only output is libvirt\'s "VFIO device assignment is currently not supported", which libvirt prints when /sys/kernel/iommu_groups is empty or /dev/vfio/vfio is missing. It cannot tell VT-d off in the firmware from a missing intel_iommu=on or an unloaded vfio; the verdict stays at the firmware layer and names the dmesg DMAR / IVRS lines that settle it.',
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
    missing: { layer: 'binding', settle: /lspci -nnk -s 0000:02:00\.[01]/ },
    why: 'Only the hook variables and a group listing were posted: the groups are fine (trap), and which driver holds 02:00.1 (snd_hda_intel in the thread) is not in the output. The binding layer stays open with lspci -nnk as the settling command.',
  },
  '12-dracut-vfio-virqfd-missing-fedora39.md': {
    status: 'broken',
    layer: 'modules',
    cause: 'module-renamed',
    why: 'dracut aborts on vfio_virqfd for 6.6.9: merged into vfio in 6.2; the initramfs is not rebuilt.',
  },
  '14-proxmox8-modprobe-vfio-virqfd-not-found.md': {
    status: 'undetermined',
    finding: ['modules', 'module-renamed'],
    missing: { layer: 'firmware', settle: /iommu_groups|DMAR|cpuinfo/ },
    why: 'The one line is the harmless modprobe error for vfio_virqfd (gone since 6.2): reported as a module-renamed warning. Nothing in the paste shows a layer broken, so the verdict is undetermined and names the first missing evidence.',
  },
  '15-ubuntu2004-vfio-now-builtin.md': {
    status: 'undetermined',
    finding: ['modules', 'vfio-builtin-options-ignored'],
    missing: { layer: 'modules', settle: /modprobe\.d/ },
    why: 'The config diff shows CONFIG_VFIO_PCI going from m to y, so modprobe.d options stop applying; whether this host relies on them is not in the diff, so it is a warning and the modprobe.d contents are asked for.',
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
    status: 'undetermined',
    finding: ['firmware', 'rmrr-blocked'],
    missing: { layer: 'firmware', settle: /iommu_groups|cpuinfo/ },
    why: 'The output is from after the fix: the firmware\'s broken RMRR is reported (info, since the running kernel is the relaxable-RMRR build), and nothing is failing any more.',
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
    if (exp.status === 'broken') {
      assert.equal(r.verdict.layer, exp.layer, `${file}: ${exp.why}\n${describe(r)}`);
      assert.equal(r.verdict.cause, exp.cause, `${file}: ${exp.why}\n${describe(r)}`);
      // The table agrees with the label of the case file.
      const label = labelOf(md);
      if (label && LABELS[label]) assert.ok(LABELS[label]!.some(([l, c]) => l === exp.layer && c === exp.cause), `${file}: table entry disagrees with label ${label}`);
    } else {
      if (exp.finding) assert.ok(r.findings.some((f) => f.layer === exp.finding![0] && f.cause === exp.finding![1]), `${file}: expected a ${exp.finding.join('/')} finding\n${describe(r)}`);
      assert.ok(
        r.verdict.missing.some((m) => m.layer === exp.missing.layer && m.settle !== null && exp.missing.settle.test(m.settle)),
        `${file}: expected a missing ${exp.missing.layer} check settled by ${exp.missing.settle}\n${describe(r)}`,
      );
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
