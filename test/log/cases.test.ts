// The log lines of the real cases (their posted output, kept in test/fixtures/cases), decoded, and the
// knowledge-base entry each case's lines lead to. Every line is checked to be in its case output verbatim,
// so the test data stays real.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { caseOutputsDir } from '../helpers/paths.js';
import { decodeLine } from '../../src/log/events/index.js';
import { buildDecodeReport } from '../../src/log/decode-report.js';
import { builtinKnowledgeBase } from '../../src/kb/load.js';
import { isRelevantLine } from '../../src/log/relevant.js';

interface CaseLine {
  line: string;
  kind: string;
  device?: string | null;
  fields?: Record<string, unknown>;
}

interface Case {
  file: string;
  lines: CaseLine[];
  /** Knowledge-base entries the lines must lead to. */
  kb: string[];
}

const CASES: Case[] = [
  {
    file: '01-vtd-disabled-bios-popos.txt',
    lines: [{ line: 'error: argument unsupported: VFIO device assigment is currently not supported on this system', kind: 'libvirt-vfio-unsupported' }],
    kb: ['libvirt-vfio-not-supported'],
  },
  {
    file: '02-harvester-iommu-args-missing-after-upgrade.txt',
    lines: [
      { line: '[ 6708.659672] vfio-pci: probe of 0000:65:00.0 failed with error -22', kind: 'probe-failed', device: '0000:65:00.0', fields: { errno: -22, errnoName: 'EINVAL', probeDriver: 'vfio-pci' } },
      { line: '[    0.151960] DMAR: IOMMU enabled', kind: 'intel-iommu-cmdline-on', device: null },
    ],
    kb: ['vfio-probe-einval-no-iommu'],
  },
  {
    file: '07-nvidia-driver-holds-gpu-group-not-viable.txt',
    lines: [
      {
        line: 'qemu-system-x86_64: -device vfio-pci,host=01:00.0,multifunction=on: vfio error: 0000:01:00.0: group 1 is not viable',
        kind: 'vfio-group-not-viable',
        device: '0000:01:00.0',
        fields: { group: 1 },
      },
    ],
    kb: ['group-not-viable'],
  },
  {
    file: '12-dracut-vfio-virqfd-missing-fedora39.txt',
    lines: [{ line: "dracut-install: Failed to find module 'vfio_virqfd'", kind: 'module-not-found', fields: { tool: 'dracut-install', module: 'vfio_virqfd' } }],
    kb: ['vfio-virqfd-merged'],
  },
  {
    file: '14-proxmox8-modprobe-vfio-virqfd-not-found.txt',
    lines: [{ line: 'modprobe: FATAL: Module vfio_virqfd not found', kind: 'module-not-found', fields: { tool: 'modprobe', module: 'vfio_virqfd' } }],
    kb: ['vfio-virqfd-merged'],
  },
  {
    file: '18-dra-companion-audio-not-bound-group-not-viable.txt',
    lines: [
      {
        line: 'vfio group X is not viable, please ensure all devices within the iommu group are bound to their vfio bus driver',
        kind: 'vfio-group-not-viable',
        device: null,
        fields: { group: 'X' },
      },
    ],
    kb: ['group-not-viable'],
  },
  {
    file: '19-dpdk-x710-group-not-viable.txt',
    lines: [
      {
        line: '{"level":"error","ts":1654654667.4602826,"logger":"DPDK","msg":"EAL: 0000:44:00.3 VFIO group is not viable! Not all devices in IOMMU group bound to VFIO or unbound"}',
        kind: 'vfio-group-not-viable',
        device: '0000:44:00.3',
      },
    ],
    kb: ['group-not-viable'],
  },
  {
    file: '24-talos-simpledrm-bar0-cant-reserve.txt',
    lines: [
      {
        line: "vfio-pci 0000:c3:00.0: BAR 0: can't reserve [mem 0x2800000000-0x2fffffffff 64bit pref]",
        kind: 'bar-cant-reserve',
        device: '0000:c3:00.0',
        fields: { bar: 0, start: '0x2800000000', end: '0x2fffffffff' },
      },
      { line: '  2800000000-2801fa3fff : BOOTFB', kind: 'iomem-framebuffer', fields: { name: 'BOOTFB' } },
      { line: '    2800000000-2801fa3fff : simpledrm', kind: 'iomem-framebuffer', fields: { name: 'simpledrm' } },
      { line: 'blacklisting initcall sysfb_init', kind: 'initcall-blacklisted', fields: { initcall: 'sysfb_init' } },
      { line: '[drm] Initialized simpledrm 1.0.0 for simple-framebuffer.0 on minor 0', kind: 'boot-framebuffer', fields: { driver: 'simpledrm' } },
      { line: 'amdgpu 0000:07:00.0: probe with driver amdgpu failed with error -22', kind: 'probe-failed', device: '0000:07:00.0', fields: { probeDriver: 'amdgpu', errnoName: 'EINVAL' } },
    ],
    kb: ['sysfb-simpledrm-bootfb-conflict', 'simpledrm-ignores-sysfb-blacklist'],
  },
  {
    file: '28-vendor-reset-kernel-5.15-reset-method.txt',
    lines: [
      { line: "pci-stub 0000:0f:00.0: Unsupported reset method 'device_specific'", kind: 'reset-method-unsupported', device: '0000:0f:00.0', fields: { method: 'device_specific' } },
      { line: "[  689.396614] vfio-pci 0000:0f:00.0: Unsupported reset method 'device_specific'", kind: 'reset-method-unsupported', fields: { method: 'device_specific' } },
      { line: "[  709.101147] vfio-pci 0000:0f:00.0: Unsupported reset method 'acpi'", kind: 'reset-method-unsupported', fields: { method: 'acpi' } },
      { line: "[  715.200579] vfio-pci 0000:0f:00.0: Unsupported reset method 'flr'", kind: 'reset-method-unsupported', fields: { method: 'flr' } },
      { line: "[  724.961395] vfio-pci 0000:0f:00.0: Unsupported reset method 'af_flr'", kind: 'reset-method-unsupported', fields: { method: 'af_flr' } },
      { line: "[  729.669243] vfio-pci 0000:0f:00.0: Unsupported reset method 'pm'", kind: 'reset-method-unsupported', fields: { method: 'pm' } },
      { line: '[  539.494792] vfio-pci 0000:01:00.0: AMD_POLARIS10: version 1.1', kind: 'vendor-reset', device: '0000:01:00.0', fields: { chip: 'AMD_POLARIS10', result: null } },
      { line: '[  539.511287] vfio-pci 0000:01:00.0: AMD_POLARIS10: Performing BACO reset', kind: 'vendor-reset' },
      { line: '[  539.691163] vfio-pci 0000:01:00.0: AMD_POLARIS10: reset result = 0', kind: 'vendor-reset', fields: { result: 0 } },
      { line: '[  539.968522] BUG: kernel NULL pointer dereference, address: 0000000000000068', kind: 'kernel-oops', fields: { what: 'BUG' } },
      { line: '[  539.968564] Oops: 0000 [#1] PREEMPT SMP PTI', kind: 'kernel-oops', fields: { what: 'Oops' } },
      {
        line: '[  539.968574] CPU: 3 PID: 1833 Comm: qemu-event Tainted: G           OE     5.15.48-1-MANJARO #1 39e790ef0c9819fed1e5b9b52c37097ef99c122f',
        kind: 'kernel-oops-cpu',
        fields: { comm: 'qemu-event', release: '5.15.48-1-MANJARO' },
      },
      { line: '[  539.968598] RIP: 0010:vfio_pci_core_unregister_device+0xb/0xc0 [vfio_pci_core]', kind: 'kernel-oops', fields: { function: 'vfio_pci_core_unregister_device', module: 'vfio_pci_core' } },
    ],
    kb: ['vendor-reset-needs-reset-method'],
  },
  {
    file: '29-vfio-stuck-in-d3-disable-idle-d3.txt',
    lines: [{ line: 'vfio: Unable to power on device, stuck in D3', kind: 'vfio-stuck-in-d3' }],
    kb: ['stuck-in-d3-idle-runtime-pm'],
  },
  {
    file: '32-relaxable-rmrr-kernel-lsi-hba.txt',
    lines: [
      {
        line: '[    0.098731] DMAR: [Firmware Bug]: No firmware reserved region can cover this RMRR [0x00000000000e8000-0x00000000000e8fff], contact BIOS vendor for fixes',
        kind: 'rmrr-firmware-bug',
        fields: { start: '0x00000000000e8000', end: '0x00000000000e8fff' },
      },
      { line: '[    0.098794] DMAR: [Firmware Bug]: Your BIOS is broken; bad RMRR [0x00000000000e8000-0x00000000000e8fff]', kind: 'rmrr-firmware-bug', fields: { problem: 'bad RMRR' } },
    ],
    kb: ['rmrr-firmware-bug'],
  },
  {
    file: '35-gen12-igpu-gsmbase-host-address-dma-fault.txt',
    lines: [{ line: 'DMAR: [DMA Read] ... PTE Read access is not set', kind: 'dmar-dma-fault', fields: { access: 'read', reasonCode: 6, reasonHex: '0x06', reason: 'PTE Read access is not set' } }],
    kb: ['dma-faults-on-device'],
  },
  {
    file: '37-kernel-built-without-irq-remap.txt',
    lines: [
      { line: "[   28.156880] x2apic: IRQ remapping doesn't support X2APIC mode", kind: 'x2apic-no-irq-remap' },
      { line: '[   28.163281] x2apic disabled', kind: 'x2apic-state', fields: { enabled: false } },
    ],
    kb: ['kernel-without-irq-remap'],
  },
  {
    file: '43-cloud-hypervisor-rlimit-memlock.txt',
    lines: [{ line: '[  365.159219] vfio_pin_pages_remote: RLIMIT_MEMLOCK (4194304) exceeded', kind: 'vfio-memlock-exceeded', fields: { limitBytes: 4194304 } }],
    kb: ['vfio-memlock-limit'],
  },
  {
    file: '45-kubevirt-dev-vfio-vfio-0600.txt',
    lines: [
      {
        line: '            2021-11-04T10:57:09.827813Z qemu-kvm: -device vfio-pci,host=0000:af:04.7,id=ua-sriov-sriov-vlan,bus=pci.6,addr=0x0: vfio 0000:af:04.7: failed to setup container for group 106: failed to open /dev/vfio/vfio:',
        kind: 'vfio-container-failed',
        device: '0000:af:04.7',
        fields: { group: 106, reason: 'failed to open /dev/vfio/vfio:' },
      },
    ],
    kb: ['vfio-node-permissions'],
  },
  {
    file: '48-kubevirt-1.9-upgrade-vfio-cdev-missing.txt',
    lines: [{ line: 'lstat /dev/vfio/devices/vfio0: no such file or directory', kind: 'vfio-node-unavailable', fields: { node: '/dev/vfio/devices/vfio0', error: 'no such file or directory' } }],
    kb: ['vfio-cdev-missing'],
  },
];

for (const c of CASES) {
  test(`case ${c.file}`, () => {
    const text = readFileSync(path.join(caseOutputsDir, c.file), 'utf8');
    for (const l of c.lines) {
      assert.ok(text.includes(l.line), `line not in ${c.file}: ${l.line}`);
      assert.ok(isRelevantLine(l.line), `the scanner would drop: ${l.line}`);
      const e = decodeLine(l.line);
      assert.ok(e, `not decoded: ${l.line}`);
      assert.equal(e.kind, l.kind, l.line);
      if (l.device !== undefined) assert.equal(e.device, l.device, `device of ${l.line}`);
      for (const [k, v] of Object.entries(l.fields ?? {})) assert.deepEqual(e.fields[k], v, `${k} of ${l.line}`);
    }
    const report = buildDecodeReport(
      {
        origin: 'file',
        from: c.file,
        lines: c.lines.map((l, i) => ({ n: i + 1, text: l.line })),
        totalLines: c.lines.length,
        totalBytes: 0,
        relevantLines: c.lines.length,
        droppedLines: 0,
        truncatedLines: 0,
        binaryLines: 0,
      },
      builtinKnowledgeBase(),
    );
    const ids = report.knowledgeBase.map((m) => m.id);
    for (const id of c.kb) assert.ok(ids.includes(id), `${c.file}: expected knowledge-base entry ${id}, got ${ids.join(', ')}`);
  });
}

test('case 28: the kernel version comes from the oops line and satisfies the 5.15 range', () => {
  const c = CASES.find((x) => x.file.startsWith('28-')) as Case;
  const report = buildDecodeReport(
    { origin: 'file', from: 'case 28', lines: c.lines.map((l, i) => ({ n: i + 1, text: l.line })), totalLines: 0, totalBytes: 0, relevantLines: 0, droppedLines: 0, truncatedLines: 0, binaryLines: 0 },
    builtinKnowledgeBase(),
  );
  assert.equal(report.context.kernelRelease, '5.15.48-1-MANJARO');
  const m = report.knowledgeBase.find((x) => x.id === 'vendor-reset-needs-reset-method');
  assert.equal(m?.kernel.status, 'match');
});
