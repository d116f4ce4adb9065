// Knowledge-base matching: all/any/none, kernel ranges (known, unknown, outside), device IDs, command
// line and release tests; kernel version parsing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLines } from '../../src/log/events/index.js';
import { matchKnowledgeBase } from '../../src/kb/match.js';
import { eventKinds } from '../../src/kb/load.js';
import { validateKnowledgeBase } from '../../src/kb/validate.js';
import { inRange, parseKernelVersion, parseRange } from '../../src/kb/version.js';
import type { KbEntry } from '../../src/kb/types.js';

function kb(signature: Record<string, unknown>, id = 't'): KbEntry[] {
  return validateKnowledgeBase(
    [{ file: 't.json', data: [{ id, title: 'T', layer: 'kernel', cause: 'iommu-inactive', severity: 'info', signature, explanation: 'E', fix: 'F', references: ['R'] }] }],
    { eventKinds: eventKinds() },
  );
}

const LINES = [
  { n: 1, text: '[    0.000000] Linux version 6.8.12-4-pve (build@proxmox) #1 SMP' },
  { n: 2, text: '[    0.100000] DMAR: IOMMU enabled' },
  { n: 3, text: '[    0.200000] pci 0000:01:00.0: [10de:1e87] type 00 class 0x030000' },
  { n: 4, text: '[    9.000000] modprobe: FATAL: Module vfio_virqfd not found' },
];
const events = decodeLines(LINES);

test('all / any / none', () => {
  assert.equal(matchKnowledgeBase({ events }, kb({ all: [{ event: 'intel-iommu-cmdline-on' }] })).length, 1);
  assert.equal(matchKnowledgeBase({ events }, kb({ all: [{ event: 'intel-iommu-cmdline-on' }, { event: 'dmar-active' }] })).length, 0);
  assert.equal(matchKnowledgeBase({ events }, kb({ any: [{ event: 'dmar-active' }, { log: 'vfio_virqfd' }] })).length, 1);
  assert.equal(matchKnowledgeBase({ events }, kb({ any: [{ event: 'dmar-active' }] })).length, 0);
  assert.equal(matchKnowledgeBase({ events }, kb({ all: [{ event: 'intel-iommu-cmdline-on' }], none: [{ event: 'dmar-active' }] })).length, 1);
  assert.equal(matchKnowledgeBase({ events }, kb({ all: [{ event: 'intel-iommu-cmdline-on' }], none: [{ event: 'module-not-found' }] })).length, 0);
});

test('event tests narrow by device and fields; evidence carries line numbers', () => {
  const [m] = matchKnowledgeBase({ events }, kb({ any: [{ event: 'module-not-found', fields: { module: '^vfio_virqfd$', tool: 'modprobe' } }] }));
  assert.ok(m);
  assert.deepEqual(m.evidence, [{ test: 'event', line: 4, text: LINES[3]?.text }]);
  assert.equal(matchKnowledgeBase({ events }, kb({ any: [{ event: 'module-not-found', fields: { module: '^vfio_pci$' } }] })).length, 0);
  assert.equal(matchKnowledgeBase({ events }, kb({ any: [{ event: 'pci-device', device: '^0000:01:00\\.0$' }] })).length, 1);
  assert.equal(matchKnowledgeBase({ events }, kb({ any: [{ event: 'pci-device', device: '^0000:02:00\\.0$' }] })).length, 0);
});

test('kernel ranges: inside matches, outside does not, unknown matches and says so', () => {
  const e = kb({ any: [{ log: 'vfio_virqfd' }], kernel: '>=6.2' });
  assert.equal(matchKnowledgeBase({ events, kernelRelease: '6.8.12-4-pve' }, e)[0]?.kernel.status, 'match');
  assert.equal(matchKnowledgeBase({ events, kernelRelease: '5.15.0-91-generic' }, e).length, 0);
  const unknown = matchKnowledgeBase({ events }, e)[0];
  assert.equal(unknown?.kernel.status, 'unknown');
  assert.equal(unknown?.kernel.range, '>=6.2');
  assert.equal(matchKnowledgeBase({ events, kernelRelease: 'garbage' }, e)[0]?.kernel.status, 'unknown');
});

test('device qualifiers, command line and release tests', () => {
  const d = kb({ any: [{ log: 'DMAR' }], devices: ['10de:*'] });
  assert.deepEqual(matchKnowledgeBase({ events, deviceIds: ['10DE:1E87', '8086:1901'] }, d)[0]?.devices.matched, ['10de:1e87']);
  assert.equal(matchKnowledgeBase({ events, deviceIds: ['8086:1901'] }, d).length, 0);
  assert.equal(matchKnowledgeBase({ events }, d)[0]?.devices.status, 'unknown');
  const c = kb({ any: [{ cmdline: '(^|\\s)amd_iommu=(\\S*,)?on(,|\\s|$)' }] });
  assert.equal(matchKnowledgeBase({ events, cmdline: 'ro quiet amd_iommu=on iommu=pt' }, c).length, 1);
  assert.equal(matchKnowledgeBase({ events, cmdline: 'ro quiet amd_iommu=off' }, c).length, 0);
  assert.equal(matchKnowledgeBase({ events, cmdline: 'amd_iommu=fullflush,on' }, c).length, 1);
  assert.equal(matchKnowledgeBase({ events }, c).length, 0, 'an unknown command line matches no cmdline test');
  const r = kb({ all: [{ release: '^5\\.4\\.0-\\d+-generic' }], any: [{ log: 'DMAR' }] });
  assert.equal(matchKnowledgeBase({ events, kernelRelease: '5.4.0-47-generic' }, r).length, 1);
  assert.equal(matchKnowledgeBase({ events, kernelRelease: '5.15.0-47-generic' }, r).length, 0);
});

test('log tests look at the given lines, not only decoded events', () => {
  const lines = [{ n: 9, text: 'some line the decoder does not know, mentioning vfio_virqfd' }];
  const m = matchKnowledgeBase({ events: [], lines }, kb({ any: [{ log: 'vfio_virqfd' }] }));
  assert.deepEqual(m[0]?.evidence, [{ test: 'log', line: 9, text: lines[0]?.text }]);
});

test('kernel versions and ranges', () => {
  assert.deepEqual(parseKernelVersion('6.8.0-48-generic'), [6, 8, 0]);
  assert.deepEqual(parseKernelVersion('5.15.48-1-MANJARO'), [5, 15, 48]);
  assert.deepEqual(parseKernelVersion('7.1.2-arch3-1'), [7, 1, 2]);
  assert.deepEqual(parseKernelVersion('6.18'), [6, 18, 0]);
  assert.equal(parseKernelVersion('unknown'), null);
  const r = parseRange('>=5.15 <6.2');
  assert.equal(inRange([5, 15, 0], r), true);
  assert.equal(inRange([6, 1, 99], r), true);
  assert.equal(inRange([6, 2, 0], r), false);
  assert.equal(inRange([5, 14, 21], r), false);
  assert.equal(inRange([5, 4, 200], parseRange('=5.4')), true);
  assert.equal(inRange([5, 40, 0], parseRange('=5.4')), false);
  assert.equal(inRange([6, 0, 0], parseRange('<6.0')), false);
  assert.equal(inRange([5, 19, 17], parseRange('<=5.19')), false);
  assert.equal(inRange([5, 19, 17], parseRange('<=5.19.17')), true);
  assert.throws(() => parseRange(''), /empty version range/);
  assert.throws(() => parseRange('>= 5.15'), /"5\.15"|">="/);
});
