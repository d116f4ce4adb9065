// One finding, three formats: check, preflight and diff print a finding through the same functions,
// so the same finding reads the same in every command's text, JSON and Markdown.
import test from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/analyze/finding.js';
import type { Change } from '../../src/diff/types.js';
import { findingJson, findingMarkdown, findingText } from '../../src/render/finding.js';
import { makeStyle } from '../../src/render/style.js';
import { fitText } from '../../src/render/wrap.js';

const plain = makeStyle(false);

/** The lines as a terminal wide enough for all of them shows them (the layout marks removed). */
function printedWide(lines: string[]): string[] {
  return fitText(lines.join('\n'), 1000).split('\n');
}

const finding: Finding = {
  id: 'host-driver-bound',
  layer: 'binding',
  cause: 'host-driver-bound',
  severity: 'fail',
  subject: '0000:01:00.0',
  title: '0000:01:00.0 is bound to nouveau',
  evidence: [{ source: '/sys/bus/pci/devices/0000:01:00.0/driver', text: 'nouveau', line: 3 }],
  decision: 'Bind it to vfio-pci.',
  commands: ['# first', 'update-initramfs -u'],
  trusted: false,
  untrustedUntil: 'kernel',
};

const change: Change = {
  id: 'driver-changed',
  layer: 'binding',
  kind: 'regression',
  cause: 'host-driver-bound',
  severity: 'fail',
  subject: '0000:01:00.0',
  title: 'driver vfio-pci → nouveau',
  evidence: [{ what: 'driver in use', before: 'vfio-pci', after: 'nouveau', source: '/sys/bus/pci/devices/0000:01:00.0/driver' }, { what: 'now a target', before: null, after: null }],
  decision: '',
  commands: [],
  trusted: true,
  untrustedUntil: null,
};

test('text: label and title, layer / cause (id) — subject, trust, evidence, decision, commands', () => {
  assert.deepEqual(printedWide(findingText(finding, plain, '  ')), [
    '  FAIL 0000:01:00.0 is bound to nouveau',
    '       binding / host-driver-bound (host-driver-bound) — 0000:01:00.0',
    '       not trusted until the kernel layer is fixed',
    '       │ /sys/bus/pci/devices/0000:01:00.0/driver:3: nouveau',
    '       Bind it to vfio-pci.',
    '         # first',
    '         $ update-initramfs -u',
  ]);
  assert.deepEqual(printedWide(findingText(change, plain, '  ')), [
    '  REGRESSION  driver vfio-pci → nouveau',
    '              binding / host-driver-bound (driver-changed) — 0000:01:00.0',
    '              │ driver in use: vfio-pci → nouveau  [/sys/bus/pci/devices/0000:01:00.0/driver]',
    '              │ now a target',
  ]);
  assert.equal(printedWide(findingText({ ...change, kind: 'neutral', cause: null, subject: null, severity: 'info' }, plain))[1], '            binding / no cause (driver-changed)');
});

test('JSON: the same keys in the same order for every command; a diff change adds its kind', () => {
  assert.deepEqual(Object.keys(findingJson(finding)), ['id', 'layer', 'cause', 'severity', 'subject', 'title', 'evidence', 'decision', 'commands', 'trusted', 'untrustedUntil']);
  assert.deepEqual(Object.keys(findingJson(change)), ['id', 'layer', 'kind', 'cause', 'severity', 'subject', 'title', 'evidence', 'decision', 'commands', 'trusted', 'untrustedUntil']);
  assert.deepEqual(findingJson(finding)['evidence'], finding.evidence);
});

test('Markdown: one list item, evidence and commands in code spans that survive pipes and backticks', () => {
  assert.deepEqual(findingMarkdown({ ...finding, evidence: [{ source: 'dmesg', text: 'a | b `c`' }] }), [
    '- **FAIL**: 0000:01:00.0 is bound to nouveau (`host-driver-bound`, cause `host-driver-bound`, `0000:01:00.0`)',
    '  - not trusted until the kernel layer is fixed',
    '  - `dmesg`: `` a \\| b `c` ``',
    '  - Bind it to vfio-pci.',
    '    - `# first`',
    '    - `update-initramfs -u`',
  ]);
  assert.deepEqual(findingMarkdown(change), [
    '- **regression**: driver vfio-pci → nouveau (`driver-changed`, cause `host-driver-bound`, `0000:01:00.0`)',
    '  - driver in use: `vfio-pci` → `nouveau` (/sys/bus/pci/devices/0000:01:00.0/driver)',
    '  - now a target',
  ]);
});
