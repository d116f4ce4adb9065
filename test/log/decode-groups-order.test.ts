// decode's device groups come in bus order, as its device list does (comparePciAddresses): an address
// without a segment before any with one, then segment, bus, device, function; lines about no device last.
import test from 'node:test';
import assert from 'node:assert/strict';
import { buildDecodeReport } from '../../src/log/decode-report.js';

const LINES = [
  '[    1.0] vfio-pci 0000:02:00.0: enabling device (0000 -> 0003)',
  '[    1.1] DMAR: [DMA Read NO_PASID] Request device [03:00.0] fault addr 0xfe000000 [fault reason 0x06] PTE Read access is not set',
  "[    1.2] vfio-pci 0000:01:00.0: BAR 0: can't reserve [mem 0xf0000000-0xf0ffffff 64bit pref]",
  '[    1.3] AMD-Vi: Event logged [IO_PAGE_FAULT device=0001:0a:00.0 domain=0x000d address=0xfffd8000 flags=0x0020]',
  '[    1.4] vfio-pci 0000:01:00.1: Refused to change power state from D0 to D3hot',
  '[    1.6] DMAR: IOMMU enabled',
];

test('decode groups events by device in bus order, the events about no device last', () => {
  const r = buildDecodeReport(
    { origin: 'file', from: 'test', lines: LINES.map((text, i) => ({ n: i + 1, text })), totalLines: LINES.length, totalBytes: 0, relevantLines: LINES.length, droppedLines: 0, truncatedLines: 0, binaryLines: 0 },
    [],
  );
  assert.deepEqual(r.groups.map((g) => g.device), ['03:00.0', '0000:01:00.0', '0000:01:00.1', '0000:02:00.0', '0001:0a:00.0', null]);
});
