// What decides the verdict of a paste: a line that proves a layer (even a warning) outranks silence about
// the others; an undetermined verdict names a layer only when some evidence points there; a firmware table
// listing without DMAR/IVRS is a firmware failure; grep-filtered output proves only that nothing matched.
// Inputs are the real case outputs and guest boot logs kept in test/fixtures (nothing outside the clone).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { caseOutputsDir, repoRoot } from '../helpers/paths.js';
import { readPaste } from '../../src/paste/read-paste.js';
import { analyzeCaptured } from '../../src/paste/targets.js';
import type { Report } from '../../src/analyze/analyze.js';

const caseText = (name: string) => fs.readFileSync(path.join(caseOutputsDir, name), 'utf8');
const guestLog = (variant: string) => fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'vm', variant, 'dmesg.txt'), 'utf8');
/** The lines of a guest's boot log that match `re`, as a `dmesg | grep` paste would show them. */
const grepGuest = (variant: string, re: RegExp) =>
  guestLog(variant)
    .split('\n')
    .filter((l) => re.test(l))
    .join('\n');

async function report(text: string): Promise<Report> {
  const { snapshot } = await readPaste([{ name: 'paste.txt', bytes: Buffer.from(text) }]);
  return analyzeCaptured(snapshot);
}

function verdictOf(r: Report): string {
  return [r.verdict.status, r.verdict.layer ?? '-', r.verdict.cause ?? '-'].join(' ');
}

const VERDICTS: { name: string; text: () => string; want: string }[] = [
  {
    name: 'modprobe cannot find vfio_virqfd (merged into vfio in 6.2): a module-renamed warning decides, not the silence about the firmware',
    text: () => caseText('14-proxmox8-modprobe-vfio-virqfd-not-found.txt'),
    want: 'warning modules module-renamed',
  },
  {
    name: 'a kernel config diff making vfio-pci built in: modprobe.d options stop applying',
    text: () => caseText('15-ubuntu2004-vfio-now-builtin.txt'),
    want: 'warning modules vfio-builtin-options-ignored',
  },
  {
    name: 'a broken RMRR table on a relaxable-RMRR kernel: still a firmware warning (a stock kernel refuses again)',
    text: () => caseText('32-relaxable-rmrr-kernel-lsi-hba.txt'),
    want: 'warning firmware rmrr-blocked',
  },
  {
    name: 'a broken RMRR table on a stock kernel: a firmware warning',
    text: () => caseText('32-relaxable-rmrr-kernel-lsi-hba.txt').replace(/relaxablermrr/g, 'stock'),
    want: 'warning firmware rmrr-blocked',
  },
  {
    name: 'libvirt says VFIO is not supported: the firmware is the first layer that can cause it, as a warning',
    text: () => caseText('01-vtd-disabled-bios-popos.txt'),
    want: 'warning firmware iommu-disabled-firmware',
  },
  {
    name: 'the same with the firmware table listing, which has no DMAR or IVRS: the firmware is broken',
    text: () => `${caseText('01-vtd-disabled-bios-popos.txt')}$ dmesg | grep -i acpi\n${grepGuest('no-iommu', /ACPI: /)}\n`,
    want: 'broken firmware iommu-disabled-firmware',
  },
  {
    name: 'hook variables naming two functions and a fine group listing: binding is the open layer (no driver shown)',
    text: () => caseText('10-snd-hda-intel-holds-gpu-audio-detach-hangs.txt'),
    want: 'undetermined binding -',
  },
  {
    name: 'a whole boot log of a guest without a virtual IOMMU (table listing, no DMAR/IVRS): no IOMMU in the firmware',
    text: () => guestLog('no-iommu'),
    want: 'broken firmware iommu-disabled-firmware',
  },
  {
    name: 'a whole boot log with intel_iommu=off: the command line, not the firmware (the DMAR table is listed)',
    text: () => guestLog('intel-iommu-off'),
    want: 'broken kernel iommu-disabled-cmdline',
  },
  {
    name: 'the table listing through a grep that could not show DMAR or IVRS lines proves nothing about them',
    text: () => `$ dmesg | grep -e FACP -e APIC\n${grepGuest('no-iommu', /ACPI: (FACP|APIC) /)}\n`,
    want: 'undetermined - -',
  },
  {
    name: 'dmesg | grep -i vfio of the same guest: no DMAR line proves nothing; vfio-pci\'s -22 (6.x wording) says no IOMMU group',
    text: () => `$ dmesg | grep -i vfio\n${grepGuest('no-iommu', /vfio/i)}\n`,
    want: 'broken kernel iommu-inactive',
  },
  {
    name: 'a release alone points at no layer',
    text: () => '$ uname -r\n6.8.12-4-pve\n',
    want: 'undetermined - -',
  },
];

for (const row of VERDICTS) {
  test(`verdict: ${row.name}`, async () => {
    const r = await report(row.text());
    assert.equal(verdictOf(r), row.want, r.findings.map((f) => `${f.severity} ${f.layer}/${f.cause}`).join('; '));
  });
}

test('a warning verdict keeps the checks that could fail before its layer, with what settles them', async () => {
  const r = await report(caseText('14-proxmox8-modprobe-vfio-virqfd-not-found.txt'));
  assert.equal(r.verdict.status, 'warning');
  assert.ok(r.verdict.missing.length > 0);
  assert.ok(r.verdict.missing.every((m) => m.couldFail && ['firmware', 'kernel'].includes(m.layer)), JSON.stringify(r.verdict.missing));
  assert.ok(r.verdict.missing.some((m) => m.settle !== null && /iommu_groups/.test(m.settle)));
});

test('an undetermined verdict lists the missing checks of the layer it names first', async () => {
  const r = await report(caseText('10-snd-hda-intel-holds-gpu-audio-detach-hangs.txt'));
  assert.equal(r.verdict.missing[0]?.layer, 'binding');
  assert.match(r.verdict.missing[0]?.settle ?? '', /^lspci -nnk -s 0000:02:00\.[01]$/);
});

test('a working guest\'s whole boot log: VFIO - User Level meta-driver proves the modules layer', async () => {
  const r = await report(guestLog('intel-vfio-6.12'));
  assert.ok(r.settled.some((s) => s.layer === 'modules' && /VFIO - User Level meta-driver/.test(s.evidence.text)), JSON.stringify(r.settled));
  assert.ok(!r.unchecked.some((u) => u.layer === 'modules' && r.verdict.missing.includes(u)));
  assert.notEqual(r.verdict.status, 'broken');
  assert.notEqual(r.verdict.layer, 'modules');
});

test('the chain says "no evidence" for a layer nothing in the paste speaks about, never "ok"', async () => {
  const { renderTextReport } = await import('../../src/render/text-report.js');
  const { makeStyle } = await import('../../src/render/style.js');
  const { snapshot } = await readPaste([{ name: 'paste.txt', bytes: Buffer.from(caseText('14-proxmox8-modprobe-vfio-virqfd-not-found.txt')) }]);
  const r = analyzeCaptured(snapshot);
  const chain = renderTextReport(snapshot, r, makeStyle(false)).split('\n');
  const row = (layer: string) => chain.find((l) => new RegExp(`^  \\S+\\s+${layer}\\s`).test(l)) ?? '';
  for (const layer of ['binding', 'isolation', 'device']) {
    assert.match(row(layer), /\(no evidence\)$/, row(layer));
    assert.doesNotMatch(row(layer), /^  ok /, row(layer));
  }
  assert.match(row('modules'), /^  WARN modules/);
  assert.deepEqual(r.evidenced, ['modules']);
});

test('a whole guest boot log speaks about every layer up to the device; its hypervisor layer has no evidence', async () => {
  const r = await report(guestLog('intel-vfio-6.12'));
  assert.ok(['firmware', 'kernel', 'modules', 'binding', 'isolation'].every((l) => r.evidenced.includes(l as never)), JSON.stringify(r.evidenced));
  assert.ok(!r.evidenced.includes('hypervisor'));
});
