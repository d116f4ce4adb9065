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

test('later evidence settles earlier layers: a VM that opened its group and failed at DMA mapping proves firmware to isolation', async () => {
  const line = 'qemu-system-x86_64: -device vfio-pci,host=0000:0c:00.0,id=hostdev0: vfio 0000:0c:00.0: failed to setup container for group 17: memory listener initialization failed: Region pc.ram: vfio_dma_map(0x55d0, 0x0, 0x80000000, 0x7f00) = -12 (Cannot allocate memory)';
  const { report } = await analyzeText(`${line}\n`);
  assert.deepEqual(report.settled.map((x) => x.layer), ['firmware', 'kernel', 'modules', 'binding', 'isolation']);
  assert.ok(report.settled.every((x) => x.evidence.line === 1 && x.by === 'qemu-dma-map'));
  assert.equal(report.verdict.layer, 'hypervisor');
  assert.equal(report.verdict.cause, 'memlock-limit');
});

test('a settled layer does not hold an undetermined verdict open; an unsettled one still does', async () => {
  // "group 1 is not viable" proves firmware, kernel and modules; the binding layer is what it blames.
  const viable = await analyzeText('kvm: -device vfio-pci,host=0000:01:00.0: vfio 0000:01:00.0: group 1 is not viable\n');
  assert.ok(!viable.report.verdict.missing.some((m) => ['firmware', 'kernel', 'modules'].includes(m.layer)), JSON.stringify(viable.report.verdict));
  // A modprobe error proves nothing about the IOMMU: the firmware layer stays open, listed beside the
  // module-renamed warning that the line proves (a line that proves a warning outranks silence).
  const modprobe = await analyzeText('modprobe: FATAL: Module vfio_virqfd not found in directory /lib/modules/6.8.12-4-pve\n');
  assert.deepEqual(modprobe.report.settled, []);
  assert.equal(modprobe.report.verdict.status, 'warning');
  assert.equal(modprobe.report.verdict.cause, 'module-renamed');
  assert.ok(modprobe.report.verdict.missing.some((m) => m.layer === 'firmware'), JSON.stringify(modprobe.report.verdict));
});

test('a device named only by a message is a device of the analysis, never "[ffff:ffff]" (issue 14 item 4)', async () => {
  const line = "kvm: -device vfio-pci,host=0000:0b:00.0,id=hostpci0,bus=ich9-pcie-port-1,addr=0x0: vfio 0000:0b:00.0: failed to open /dev/vfio/15: Permission denied";
  const { report, snapshot } = await analyzeText(`${line}\n`);
  const d = snapshot.pci.find((x) => x.address === '0000:0b:00.0');
  assert.ok(d, 'the device the message names is in the analysis');
  const { describeDevice } = await import('../../src/analyze/pci-facts.js');
  assert.equal(describeDevice(d), '0000:0b:00.0 (ids not in the input)');
  assert.ok(!report.findings.some((f) => f.title.includes('ffff:ffff')), report.findings.map((f) => f.title).join('\n'));
  const { renderTextReport } = await import('../../src/render/text-report.js');
  const { makeStyle } = await import('../../src/render/style.js');
  const { fitText } = await import('../../src/render/wrap.js');
  // As printed on a terminal wide enough for every line (fitting also removes the layout marks).
  const text = fitText(renderTextReport(snapshot, report, makeStyle(false)), 1000);
  assert.ok(!text.includes('ffff'), text);
  assert.match(text, /0000:0b:00\.0 \(ids not in the input\)/);
});
