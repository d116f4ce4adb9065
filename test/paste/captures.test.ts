// Several captures in one paste are kept apart: two boots (a second "Linux version" line), two hosts
// (different host names in syslog prefixes). The verdict follows the latest; the earlier is "before".
// The boots are the real guest logs of test/fixtures/vm: one without a virtual IOMMU, one with.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { readPaste } from '../../src/paste/read-paste.js';
import { analyzeCaptured } from '../../src/paste/targets.js';
import { splitCaptures } from '../../src/paste/captures.js';
import { runCli } from '../helpers/run-cli.js';

const guestLog = (variant: string) => fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'vm', variant, 'dmesg.txt'), 'utf8').trimEnd();
/** The same boot as syslog lines of `host` ("Dec  6 10:00:00 pve1 kernel: ..."), as /var/log/kern.log has it. */
const asSyslog = (text: string, host: string) =>
  text
    .split('\n')
    .map((l) => l.replace(/^\[\s*\d+\.\d+\] /, `Dec  6 10:00:00 ${host} kernel: `))
    .join('\n');

const NO_IOMMU = () => guestLog('no-iommu');
const WITH_IOMMU = () => guestLog('intel-vfio-6.12');

async function judged(text: string) {
  const r = await readPaste([{ name: 'paste.txt', bytes: Buffer.from(`${text}\n`) }]);
  const v = analyzeCaptured(r.snapshot).verdict;
  return {
    latest: `${v.status} ${v.layer} ${v.cause}`,
    earlier: r.earlier.map((c) => {
      const e = analyzeCaptured(c.snapshot).verdict;
      return `${c.label}: ${e.status} ${e.layer} ${e.cause}`;
    }),
  };
}

const FIRMWARE = 'broken firmware iommu-disabled-firmware';

const ROWS: { name: string; text: () => string; latestIsFirmware: boolean; earlier: string[] }[] = [
  { name: 'one boot: nothing is split off', text: NO_IOMMU, latestIsFirmware: true, earlier: [] },
  { name: 'before and after a fix (two boots): the later boot decides', text: () => `${NO_IOMMU()}\n${WITH_IOMMU()}`, latestIsFirmware: false, earlier: [`boot 1 of 2: ${FIRMWARE}`] },
  { name: 'a regression (two boots, the later broken)', text: () => `${WITH_IOMMU()}\n${NO_IOMMU()}`, latestIsFirmware: true, earlier: ['boot 1 of 2: '] },
  {
    name: 'two hosts in syslog format: the host pasted last decides',
    text: () => `${asSyslog(NO_IOMMU(), 'pve1')}\n${asSyslog(WITH_IOMMU(), 'pve2')}`,
    latestIsFirmware: false,
    earlier: [`host pve1: ${FIRMWARE}`],
  },
  { name: 'one host in syslog format: nothing is split off', text: () => asSyslog(NO_IOMMU(), 'pve1'), latestIsFirmware: true, earlier: [] },
];

for (const row of ROWS) {
  test(`captures: ${row.name}`, async () => {
    const j = await judged(row.text());
    assert.equal(j.latest === FIRMWARE, row.latestIsFirmware, j.latest);
    assert.equal(j.earlier.length, row.earlier.length, j.earlier.join('\n'));
    row.earlier.forEach((want, i) => assert.ok(j.earlier[i]!.startsWith(want), `${j.earlier[i]} starts with ${want}`));
    // A boot with the IOMMU judged alone is never the firmware failure.
    if (row.earlier[0] === 'boot 1 of 2: ') assert.ok(!j.earlier[0]!.includes('iommu-disabled-firmware'), j.earlier[0]);
  });
}

test('splitCaptures: boots by "Linux version", whatever the prefix, oldest first', () => {
  const lines = ['[    0.000000] Linux version 6.1.0-9-amd64', '[    1.0] a', '[    0.000000] Linux version 6.12.1-amd64', '[    2.0] b'].map((text, i) => ({ file: 'p', n: i + 1, text }));
  const c = splitCaptures(lines);
  assert.deepEqual(
    c.map((x) => [x.label, x.lines.map((l) => l.n)]),
    [
      ['boot 1 of 2', [1, 2]],
      ['boot 2 of 2', [3, 4]],
    ],
  );
});

test('analyze shows the earlier capture as before, in text and in --json', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vfio-doctor-captures-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'two-boots.txt'), `${NO_IOMMU()}\n${WITH_IOMMU()}\n`);
  const text = await runCli(['analyze', 'two-boots.txt'], { cwd: dir });
  // The text is fitted to 80 columns: words may be on the next line.
  assert.match(text.stdout, /Earlier captures in the input \(1\)/);
  assert.match(text.stdout, /before: boot 1 of 2 \(two-boots\.txt:1-\d+\):\s+broken\s+at\s+firmware\s+\(iommu-disabled-firmware\)/);
  assert.doesNotMatch(text.stdout, /VERDICT: firmware layer is broken/);
  const json = JSON.parse((await runCli(['analyze', 'two-boots.txt', '--json'], { cwd: dir })).stdout) as { earlierCaptures: { label: string; from: number; verdict: { layer: string } }[] };
  assert.deepEqual(
    json.earlierCaptures.map((c) => [c.label, c.from, c.verdict.layer]),
    [['boot 1 of 2', 1, 'firmware']],
  );
});

// A log that rebooted many times, or one boot of hundreds of thousands of lines, is still one analysis
// per recent capture: the oldest are judged together, and no capture's size reaches a call's argument limit.
test('many boots: the three before the latest are judged alone, older ones together; a huge boot does not overflow', async () => {
  const boots = [NO_IOMMU(), NO_IOMMU(), WITH_IOMMU(), NO_IOMMU(), WITH_IOMMU(), WITH_IOMMU()];
  const r = await judged(boots.join('\n'));
  assert.notEqual(r.latest, FIRMWARE, 'the latest boot has an IOMMU');
  assert.deepEqual(
    r.earlier.map((e) => e.slice(0, e.indexOf(': '))),
    ['2 earlier captures judged together (boot 1 of 6 to boot 2 of 6)', 'boot 3 of 6', 'boot 4 of 6', 'boot 5 of 6'],
  );
  assert.equal(r.earlier[0]!.endsWith(FIRMWARE), true, r.earlier[0]);
  assert.equal(r.earlier[2]!.endsWith(FIRMWARE), true, r.earlier[2]);
  const flood = Array.from({ length: 300_000 }, (_, i) => `[ ${(100 + i / 1000).toFixed(6)}] e1000e 0000:03:00.0 eth0: Link is Up`).join('\n');
  const big = await readPaste([{ name: 'paste.txt', bytes: Buffer.from(`${NO_IOMMU()}\n${flood}\n${WITH_IOMMU()}\n`) }]);
  assert.equal(big.earlier.length, 1);
  assert.equal(big.earlier[0]!.to - big.earlier[0]!.from + 1 >= 300_000, true);
});
