// Known wrong answers of issue 14 (item 7), each pasted the way people post it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readPaste } from '../../src/paste/read-paste.js';
import { analyzeCaptured } from '../../src/paste/targets.js';

async function analyzeText(text: string) {
  const { snapshot, sections } = await readPaste([{ name: 'paste.txt', bytes: Buffer.from(text) }]);
  return { report: analyzeCaptured(snapshot), sections, snapshot };
}

test('repeated "kvm: vfio: ... stuck in D3" lines are QEMU messages, not a Proxmox VM configuration', async () => {
  const line = 'kvm: vfio: Unable to power on device, stuck in D3';
  const { report, sections } = await analyzeText(`${line}\n${line}\n${line}\nTASK ERROR: start failed: QEMU exited with code 1\n`);
  assert.ok(!sections.some((s) => s.kind === 'proxmox-config'), JSON.stringify(sections));
  assert.equal(report.verdict.layer, 'device');
  assert.equal(report.verdict.cause, 'stuck-in-d3');
});

test('a real Proxmox configuration with kvm: 0 is still a configuration', async () => {
  const { sections } = await analyzeText('boot: order=scsi0\ncores: 4\nkvm: 0\nmemory: 8192\nhostpci0: 0000:01:00,pcie=1\n');
  assert.ok(sections.some((s) => s.kind === 'proxmox-config'), JSON.stringify(sections));
});

test('"lspci: command not found" under an lspci prompt is a missing tool, not an lspci section', async () => {
  const { sections, snapshot } = await analyzeText('$ lspci -nnk\nbash: lspci: command not found\n');
  assert.ok(!sections.some((s) => s.kind.startsWith('lspci')), JSON.stringify(sections));
  assert.equal(snapshot.pci.length, 0);
});
