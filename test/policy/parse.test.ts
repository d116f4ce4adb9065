import test from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicy, PolicyError } from '../../src/policy/parse.js';

const TODAY = '2026-12-06';

function entry(body: string): string {
  return `version: 1\nentries:\n  - name: gpu\n${body}`;
}

test('policy: every key is read, with the line it was written on', () => {
  const text = [
    'version: 1', // 1
    'entries:', // 2
    '  - name: gpu-nodes', // 3
    '    match:', // 4
    '      host: "hv-*"', // 5
    '      vendor: Supermicro', // 6
    '      product: "SYS-*"', // 7
    '      board: X11DDW-L', // 8
    '      cpu: "*Xeon*"', // 9
    '    targets:', // 10
    '      - id: 10DE:1E87', // 11
    '        isolation: ["0000:03:00.1", "10de:10f8"]', // 12
    '        reset: flr', // 13
    '      - address: "01:00.0"', // 14
    '        isolation: alone', // 15
    '    interrupt_remapping: required', // 16
    '    acs_override:', // 17
    '      decision: allowed', // 18
    '      reason: lab host, one tenant', // 19
    '      owner: infra', // 20
    '      review_by: 2027-06-30', // 21
    '    allow_unsafe_interrupts: forbidden', // 22
    '    kernels: ["6.8", "6.11.*"]', // 23
    '    minimum_bios: "3.4"', // 24
    '  - name: everything-else', // 25
    '    interrupt_remapping: optional', // 26
    '    allow_unsafe_interrupts: allowed', // 27
    '    acs_override: { decision: forbidden }', // 28
  ].join('\n');
  const p = parsePolicy(text, 'p.yaml', TODAY);
  assert.equal(p.entries.length, 2);
  const [e, all] = p.entries as [NonNullable<(typeof p.entries)[0]>, NonNullable<(typeof p.entries)[1]>];
  assert.equal(e.name, 'gpu-nodes');
  assert.equal(e.line, 3);
  assert.deepEqual(e.match, { host: 'hv-*', vendor: 'Supermicro', product: 'SYS-*', board: 'X11DDW-L', cpu: '*Xeon*' });
  assert.deepEqual(e.targets[0], { line: 11, id: '10de:1e87', address: null, isolation: { alone: false, with: ['0000:03:00.1', '10de:10f8'], line: 12 }, reset: { method: 'flr', line: 13 } });
  assert.deepEqual(e.targets[1], { line: 14, id: null, address: '0000:01:00.0', isolation: { alone: true, line: 15 }, reset: null });
  assert.deepEqual(e.interruptRemapping, { required: true, line: 16 });
  assert.deepEqual(e.acsOverride, { line: 17, decision: 'allowed', reason: 'lab host, one tenant', owner: 'infra', reviewBy: '2027-06-30' });
  assert.deepEqual(e.allowUnsafeInterrupts, { allowed: false, line: 22 });
  assert.deepEqual(e.kernels, { allowed: ['6.8', '6.11.*'], line: 23 });
  assert.deepEqual(e.minimumBios, { version: '3.4', line: 24 });
  assert.deepEqual(all.match, { host: null, vendor: null, product: null, board: null, cpu: null });
  assert.deepEqual(all.interruptRemapping, { required: false, line: 26 });
  assert.deepEqual(all.allowUnsafeInterrupts, { allowed: true, line: 27 });
  assert.equal(all.acsOverride?.decision, 'forbidden');
  assert.deepEqual(all.targets, []);
});

// [what, policy text, line, message]
const ERRORS: [string, string, number, RegExp][] = [
  ['YAML syntax', 'version: 1\nentries: [\n', 3, /not valid YAML/],
  ['empty file', '# nothing\n', 1, /the policy is empty/],
  ['top level is a list', '- a\n- b\n', 1, /the policy must be a mapping/],
  ['unknown top-level key', 'version: 1\nentries:\n  - name: a\nowner: me\n', 4, /unknown key "owner" in the policy \(known: version, entries\)/],
  ['version missing', 'entries:\n  - name: a\n', 1, /the policy needs "version"/],
  ['version wrong', 'version: 2\nentries:\n  - name: a\n', 1, /version must be 1/],
  ['entries missing', 'version: 1\n', 1, /the policy needs "entries"/],
  ['entries not a list', 'version: 1\nentries: gpu\n', 2, /entries must be a list/],
  ['entries empty', 'version: 1\nentries: []\n', 2, /entries is empty/],
  ['entry not a mapping', 'version: 1\nentries:\n  - gpu\n', 3, /entries\[0\] must be a mapping/],
  ['entry without a name', 'version: 1\nentries:\n  - kernels: ["6.8"]\n', 3, /entries\[0\] needs "name"/],
  ['name not a string', 'version: 1\nentries:\n  - name: 42\n', 3, /entries\[0\]\.name must be a non-empty string \(quote it: "42"\)/],
  ['unknown key in an entry', entry('    kernel: ["6.8"]\n'), 4, /unknown key "kernel" in entries\[0\] \(known: name, match, targets, interrupt_remapping, acs_override, allow_unsafe_interrupts, kernels, minimum_bios\)/],
  ['unknown key in match', entry('    match:\n      serial: X\n'), 5, /unknown key "serial" in entries\[0\]\.match/],
  ['match not a mapping', entry('    match: hv-*\n'), 4, /entries\[0\]\.match must be a mapping/],
  ['match value not a string', entry('    match:\n      host: [a, b]\n'), 5, /entries\[0\]\.match\.host must be a non-empty string/],
  ['targets not a list', entry('    targets: 10de:1e87\n'), 4, /entries\[0\]\.targets must be a list/],
  ['target with id and address', entry('    targets:\n      - id: 10de:1e87\n        address: 0000:03:00.0\n'), 5, /entries\[0\]\.targets\[0\] needs exactly one of "id" and "address"/],
  ['target with neither', entry('    targets:\n      - reset: flr\n'), 5, /needs exactly one of "id" and "address"/],
  ['target id malformed', entry('    targets:\n      - id: 10de-1e87\n'), 5, /targets\[0\]\.id: "10de-1e87" is not a vendor:device id/],
  ['target address malformed', entry('    targets:\n      - address: "3:0"\n'), 5, /targets\[0\]\.address: "3:0" is not a PCI address/],
  ['unknown key in a target', entry('    targets:\n      - id: 10de:1e87\n        driver: vfio-pci\n'), 6, /unknown key "driver" in entries\[0\]\.targets\[0\] \(known: id, address, isolation, reset\)/],
  ['isolation wrong type', entry('    targets:\n      - id: 10de:1e87\n        isolation: 2\n'), 6, /isolation must be "alone" or a list/],
  ['isolation list entry malformed', entry('    targets:\n      - id: 10de:1e87\n        isolation: [audio]\n'), 6, /isolation\[0\]: "audio" is neither a vendor:device id .* nor a PCI address/],
  ['reset method unknown', entry('    targets:\n      - id: 10de:1e87\n        reset: d3cold\n'), 6, /reset must be one of device_specific, acpi, flr, af_flr, pm, bus, cxl_bus \(not "d3cold"\)/],
  ['interrupt_remapping value', entry('    interrupt_remapping: true\n'), 4, /interrupt_remapping must be one of required, optional \(not true\)/],
  ['acs_override not a mapping', entry('    acs_override: forbidden\n'), 4, /acs_override must be a mapping/],
  ['acs_override without decision', entry('    acs_override:\n      owner: me\n'), 5, /acs_override needs "decision"/],
  ['acs_override decision value', entry('    acs_override:\n      decision: maybe\n'), 5, /acs_override\.decision must be one of forbidden, allowed \(not "maybe"\)/],
  ['allowed without reason', entry('    acs_override:\n      decision: allowed\n      owner: me\n      review_by: 2027-01-01\n'), 4, /an allowed ACS override needs "reason"/],
  ['allowed without owner', entry('    acs_override:\n      decision: allowed\n      reason: lab\n      review_by: 2027-01-01\n'), 4, /an allowed ACS override needs "owner"/],
  ['allowed without review date', entry('    acs_override:\n      decision: allowed\n      reason: lab\n      owner: me\n'), 4, /an allowed ACS override needs "review_by"/],
  ['review date malformed', entry('    acs_override:\n      decision: allowed\n      reason: lab\n      owner: me\n      review_by: 2027-02-30\n'), 8, /review_by: "2027-02-30" is not a date \(YYYY-MM-DD\)/],
  ['review date in the past', entry('    acs_override:\n      decision: allowed\n      reason: lab\n      owner: me\n      review_by: 2026-12-05\n'), 8, /review_by 2026-12-05 is in the past: review the decision/],
  ['unknown key in acs_override', entry('    acs_override:\n      decision: forbidden\n      until: 2027-01-01\n'), 6, /unknown key "until" in entries\[0\]\.acs_override/],
  ['allow_unsafe_interrupts value', entry('    allow_unsafe_interrupts: no\n'), 4, /allow_unsafe_interrupts must be one of forbidden, allowed \(not "no"\)/],
  ['kernels not a list', entry('    kernels: "6.8"\n'), 4, /kernels must be a list/],
  ['kernels empty', entry('    kernels: []\n'), 4, /kernels is empty/],
  ['kernels entry not a string', entry('    kernels:\n      - 6.8\n'), 5, /kernels\[0\] must be a non-empty string \(quote it: "6\.8"\)/],
  ['minimum_bios a number', entry('    minimum_bios: 3.40\n'), 4, /minimum_bios must be a non-empty string \(quote it: "3\.40"\)/],
  ['a key twice', entry('    kernels: ["6.8"]\n    kernels: ["6.11"]\n'), 5, /not valid YAML: Map keys must be unique/],
  ['an entry name twice', 'version: 1\nentries:\n  - name: gpu\n  - name: gpu\n', 4, /entry name "gpu" is used twice \(also line 3\)/],
];

for (const [what, text, line, message] of ERRORS) {
  test(`policy error: ${what}`, () => {
    assert.throws(
      () => parsePolicy(text, 'fleet.yaml', TODAY),
      (err: unknown) => {
        assert.ok(err instanceof PolicyError, `a PolicyError, got ${String(err)}`);
        assert.match(err.message, new RegExp(`^fleet\\.yaml:${line}: `), err.message);
        assert.match(err.message, message);
        assert.ok(!err.message.includes('\n'), 'one line');
        return true;
      },
    );
  });
}

test('policy: a review date of today is still valid', () => {
  const p = parsePolicy(entry('    acs_override:\n      decision: allowed\n      reason: lab\n      owner: me\n      review_by: 2026-12-06\n'), 'p.yaml', TODAY);
  assert.equal(p.entries[0]!.acsOverride?.reviewBy, '2026-12-06');
});
