// Where a run of kernel-log lines ends: a message wrapped onto an unstamped line is handed to the
// wrapped-message reader whole, wherever it stands in the run; a stamped line never continues one. The
// kernel-log reader asks whether a line could continue a message before it asks the catalogue to join
// the two lines: these cases hold that shortcut to what the join alone decided.
import test from 'node:test';
import assert from 'node:assert/strict';
import { recognise } from './helpers.js';

const BRIDGE = '[    1.000000] pci 0000:00:01.0: [8086:1901] type 01 class 0x060400';
const RMRR_HEAD = '[  116.814073] vfio-pci 0000:0b:00.0: Device is ineligible for IOMMU domain attach due to platform RMRR';
const RMRR_TAIL = 'requirement.  Contact your platform vendor.';
const DISPLAY = '[  117.000000] pci 0000:00:02.0: [8086:3e92] type 00 class 0x030000';

const CASES: { name: string; lines: string[]; sections: string[] }[] = [
  { name: 'wrapped in the middle of a run', lines: [BRIDGE, RMRR_HEAD, RMRR_TAIL, DISPLAY], sections: ['kernel-log:2-2', 'wrapped-message:3-4', 'kernel-log:5-5'] },
  { name: 'wrapped at the end of a run', lines: [BRIDGE, RMRR_HEAD, RMRR_TAIL], sections: ['kernel-log:2-2', 'wrapped-message:3-4'] },
  { name: 'wrapped at the start', lines: [RMRR_HEAD, RMRR_TAIL, DISPLAY], sections: ['wrapped-message:2-3', 'kernel-log:4-4'] },
  { name: 'the second half with a stamp of its own is a line of its own', lines: [BRIDGE, RMRR_HEAD, `[  117.000000] ${RMRR_TAIL}`, DISPLAY], sections: ['kernel-log:2-5'] },
  { name: 'a stamped run', lines: [BRIDGE, DISPLAY, BRIDGE], sections: ['kernel-log:2-4'] },
];

for (const c of CASES) {
  test(`kernel-log run: ${c.name}`, () => {
    const r = recognise(c.lines.join('\n'), 'dmesg');
    assert.deepEqual(r.sections.map((s) => `${s.kind}:${s.from}-${s.to}`), c.sections);
    assert.deepEqual(r.notUnderstood, []);
  });
}
