import test from 'node:test';
import assert from 'node:assert/strict';
import { readPaste } from '../../src/paste/read-paste.js';
import { analyzeCaptured } from '../../src/paste/targets.js';

// Issue 13 point 7: a paste of one device line repeated (4 MB) took 82 s and an AER flood (6 MB) 48 s,
// because every line scanned lists that grow with the paste. The work must grow with the size: the
// large paste may take at most three times its share of a small one's time, measured here, in this run
// (a quadratic pass takes eight times its share and more).

const DEVICE_LINE = '[   12.345678] pci 0000:01:00.0: [10de:1e89] type 00 class 0x030000\n';
const AER_LINES =
  '[ 1234.567890] pcieport 0000:00:01.0: AER: Corrected error received: 0000:01:00.0\n' +
  '[ 1234.567891] nvidia 0000:01:00.0: PCIe Bus Error: severity=Corrected, type=Physical Layer, (Receiver ID)\n';

function paste(unit: string, bytes: number): Buffer {
  return Buffer.from(unit.repeat(Math.ceil(bytes / unit.length)));
}

async function seconds(bytes: Buffer): Promise<number> {
  // CPU time of this process, not wall time: other processes on a loaded machine do not count.
  const start = process.cpuUsage();
  const { snapshot } = await readPaste([{ name: 'paste.txt', bytes }]);
  analyzeCaptured(snapshot, { devices: [], ids: [] });
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

for (const [name, unit, large] of [
  ['one device line repeated', DEVICE_LINE, 4_000_000],
  ['an AER flood', AER_LINES, 6_000_000],
] as const) {
  test(`paste analysis is linear: ${name}`, async () => {
    const small = large / 8;
    await seconds(paste(unit, small)); // warm-up: compiled code and caches, not counted
    const tSmall = Math.min(await seconds(paste(unit, small)), await seconds(paste(unit, small)));
    const tLarge = await seconds(paste(unit, large));
    const ratio = tLarge / tSmall;
    assert.ok(ratio < 24, `${large} bytes took ${tLarge.toFixed(2)} s, ${ratio.toFixed(1)}× the ${small} bytes (${tSmall.toFixed(3)} s); 8× is linear`);
  });
}
