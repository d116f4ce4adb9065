// Other checkers' conclusions are claims (issue 14 item 5): virt-host-validate's lines, read from the
// real tool's output and from its source's format, point to a layer when nothing else speaks, only as
// warnings, and are shown as contradicted when the kernel's own lines say otherwise.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readPaste } from '../../src/paste/read-paste.js';
import { analyze } from '../../src/analyze/analyze.js';
import { virtHostValidateClaim } from '../../src/paste/recognisers/virt-host-validate.js';
import { requireTool, run } from '../helpers/tools.js';
import type { Snapshot } from '../../src/snapshot/types.js';

async function pasted(text: string): Promise<{ snapshot: Snapshot; notUnderstood: unknown[] }> {
  return readPaste([{ name: 'paste.txt', bytes: Buffer.from(text) }]);
}

/** A line as virt-host-validate prints it: "%6s: Checking %-60s: " then the result. */
const vhv = (check: string, result: string) => `${'QEMU'.padStart(6)}: Checking ${check.padEnd(60)}: ${result}`;

const NO_DMAR = vhv('for device assignment IOMMU support', 'WARN (No ACPI DMAR table found, IOMMU either disabled in BIOS or not supported by this hardware platform)');
const KERNEL_OFF = vhv('if IOMMU is enabled by kernel', 'WARN (IOMMU appears to be disabled in kernel. Add intel_iommu=on to kernel cmdline arguments)');

test('the real virt-host-validate output is read line by line as claims', async (t) => {
  const tool = requireTool('virt-host-validate', 'libvirt-clients');
  if (typeof tool !== 'string') return t.skip(tool.skip);
  const r = await run(tool, ['qemu']);
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  assert.ok(lines.length > 3, r.stdout);
  const { snapshot, notUnderstood } = await pasted(`$ virt-host-validate qemu\n${r.stdout}`);
  assert.deepEqual(notUnderstood, []);
  assert.equal(snapshot.pasted?.claims?.length, lines.length);
  for (const c of snapshot.pasted!.claims!) assert.ok(['pass', 'fail', 'warn', 'note'].includes(c.status), c.text);
});

test('each check is tied to its layer and cause; an "Unknown if" hint to none', () => {
  const at = (line: string) => virtHostValidateClaim(line, 'paste.txt:1');
  assert.deepEqual([at(NO_DMAR)?.layer, at(NO_DMAR)?.cause], ['firmware', 'iommu-disabled-firmware']);
  assert.deepEqual([at(KERNEL_OFF)?.layer, at(KERNEL_OFF)?.cause], ['kernel', 'iommu-disabled-cmdline']);
  const ivrs = at(vhv('for device assignment IOMMU support', 'WARN (No ACPI IVRS table found, IOMMU either disabled in BIOS or not supported by this hardware platform)'));
  assert.equal(ivrs?.cause, 'iommu-disabled-firmware');
  assert.equal(at(vhv('if IOMMU is enabled by kernel', 'WARN (IOMMU capability not compiled into kernel.)'))?.cause, 'iommu-inactive');
  assert.equal(at(vhv('for hardware virtualization', 'FAIL (Only emulated CPUs are available, performance will be significantly limited)'))?.cause, 'virtualization-disabled');
  assert.equal(at(vhv('for device assignment IOMMU support', 'WARN (Unknown if this platform has IOMMU support)'))?.layer, null);
  assert.equal(at(vhv('if device /dev/kvm exists', "FAIL (Check that the 'kvm-intel' or 'kvm-amd' modules are loaded & the BIOS has enabled virtualization)"))?.cause, 'kvm-unavailable');
  assert.equal(at(vhv('for cgroup \'devices\' controller support', 'PASS'))?.layer, null);
});

test('alone, a claim points to its layer, as a warning', async () => {
  const r = analyze((await pasted(`${NO_DMAR}\n`)).snapshot);
  // The verdict stays open (the firmware layer's own checks lack their sources) but names the layer the claim points to.
  assert.equal(r.verdict.layer, 'firmware');
  assert.notEqual(r.verdict.status, 'broken');
  assert.deepEqual(r.findings.filter((f) => f.id === 'claim-firmware').map((f) => [f.cause, f.severity]), [['iommu-disabled-firmware', 'warn']]);
});

test('a kernel line that says the opposite wins: the claim is shown as contradicted', async () => {
  const r = analyze((await pasted(`${NO_DMAR}\n${KERNEL_OFF}\n[    0.310000] DMAR: Intel(R) Virtualization Technology for Directed I/O\n[    0.400000] pci 0000:00:02.0: Adding to iommu group 0\n`)).snapshot);
  const claims = r.findings.filter((f) => f.id.startsWith('claim-'));
  assert.deepEqual(claims.map((f) => [f.cause, f.severity]), [['iommu-disabled-firmware', 'info'], ['iommu-disabled-cmdline', 'info']]);
  assert.match(claims[0]!.decision, /says otherwise/);
  assert.notEqual(r.verdict.layer, 'firmware');
});

test('a failing kernel line on a later layer decides before an earlier layer\'s claim', async () => {
  const r = analyze((await pasted(`${KERNEL_OFF}\n[  812.114420] vfio-pci 0000:01:00.0: BAR 1: can't reserve [mem 0xe0000000-0xefffffff 64bit pref]\n`)).snapshot);
  assert.equal(r.verdict.severity, 'fail');
  assert.equal(r.verdict.layer, 'device');
  assert.ok(r.findings.some((f) => f.id === 'claim-kernel' && f.severity === 'warn'));
});
