// Loading stored snapshots: the previous release's layout (schemaVersion 1) still loads, validates and
// diffs against a new snapshot of the same host with no change; a document of the wrong shape anywhere
// is refused with one line naming the field (issue 13, reproduction 9), never judged.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';
import { buildHost } from '../fixtures/host-builder.js';
import { v1FixtureHost } from '../fixtures/snapshots/v1-host.js';
import { loadSnapshotFile, SnapshotLoadError, validateSnapshot } from '../../src/snapshot/load.js';
import { SCHEMA_VERSION } from '../../src/snapshot/types.js';
import { collectSnapshot } from '../../src/collect/collect.js';
import { analyze } from '../../src/analyze/analyze.js';
import { analyzeCaptured } from '../../src/paste/targets.js';
import { readPaste } from '../../src/paste/read-paste.js';
import { snapshotFileName } from '../../src/store/naming.js';
import { parseValidated } from '../helpers/json-output.js';

const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'snapshots');
const V1_ROOT = path.join(FIXTURES, 'v1-pve-libvirt-labelled.json');
const V1_PASTE = path.join(FIXTURES, 'v1-paste-libvirt-proxmox.json');
const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, any>;

function tmp(t: { after: (fn: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-load-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

test('the fixtures really are schemaVersion 1 documents with an extra bag', () => {
  for (const f of [V1_ROOT, V1_PASTE]) {
    const raw = readJson(f);
    assert.equal(raw['schemaVersion'], 1, f);
    assert.equal(typeof raw['extra'], 'object', f);
  }
});

test('a labelled schemaVersion 1 store snapshot loads as the current layout, sections moved out of extra', () => {
  const raw = readJson(V1_ROOT);
  const s = loadSnapshotFile(V1_ROOT);
  assert.equal(s.schemaVersion, SCHEMA_VERSION);
  assert.equal((s as unknown as Record<string, unknown>)['extra'], undefined);
  assert.equal(s.label, 'before-upgrade');
  // Every field version 1 recorded is kept; the fields version 2 added are filled as version 1 could not say them.
  const v1 = raw['extra'].hypervisor;
  for (const [k, v] of Object.entries(v1)) if (k !== 'vms') assert.deepEqual((s.hypervisor as unknown as Record<string, unknown>)[k], v, k);
  s.hypervisor!.vms.forEach((vm, i) => {
    const old = v1.vms[i];
    for (const [k, v] of Object.entries(old)) if (k !== 'devices') assert.deepEqual((vm as unknown as Record<string, unknown>)[k], v, `vms[${i}].${k}`);
    vm.devices.forEach((a, j) => {
      for (const [k, v] of Object.entries(old.devices[j])) assert.deepEqual((a as unknown as Record<string, unknown>)[k], v, `vms[${i}].devices[${j}].${k}`);
      assert.equal(a.guestAddress, null);
    });
    assert.deepEqual([vm.line, vm.hugepages, vm.machine, vm.firmware, vm.kvmHidden, vm.hypervVendorId], [null, false, null, null, null, null]);
  });
  assert.deepEqual(s.hypervisor!.vms.map((v) => `${v.manager}:${v.id}`), ['libvirt:1b9f0c4e-2d6a-4f7e-9c1d-3a5b7e9f0a12', 'libvirt:4dea22b3-1d52-d8f3-2516-782e98ab3fa0', 'proxmox:100', 'proxmox:101']);
  assert.equal(s.pasted, undefined);
  // Everything outside extra is carried over as it was.
  for (const k of Object.keys(raw)) if (k !== 'extra' && k !== 'schemaVersion') assert.deepEqual((s as unknown as Record<string, unknown>)[k], raw[k], k);
});

test('a pasted schemaVersion 1 snapshot loads with its VM definitions in the VM model and the rest typed', () => {
  const s = loadSnapshotFile(V1_PASTE);
  const vms = s.hypervisor!.vms;
  assert.deepEqual(
    vms.map((v) => [v.manager, v.name, v.id, v.memoryKiB, v.devices.map((a) => [a.label, a.addresses, a.managed, a.primaryVga, a.pcie])]),
    [
      ['libvirt', 'win10', null, 16777216, [['hostdev 0000:01:00.0', ['0000:01:00.0'], true, false, null], ['hostdev 0000:0b:00.0', ['0000:0b:00.0'], true, false, null]]],
      ['proxmox', '100', '100', 16384 * 1024, [['hostpci0', ['0000:01:00'], null, true, true]]],
    ],
  );
  assert.equal(vms[1]!.devices[0]!.line, 34, 'the hostpci0 line of the paste');
  const p = s.pasted!;
  assert.deepEqual(p.memlock, { limitKiB: 8192, from: readJson(V1_PASTE)['extra'].limits.from });
  assert.deepEqual(p.kernelConfigChanges, []);
  // The VM definitions name their devices now; the [ffff:ffff] placeholder version 1 made is gone.
  assert.deepEqual(p.namedDevices, []);
  assert.ok(!s.pci.some((d) => d.vendorId === 'ffff'));
});

test('a schemaVersion 1 snapshot is judged as the snapshot this release builds from the same input', async () => {
  // The paste the v1 fixture was built from, read by this release: same findings from both.
  const input = path.join(FIXTURES, 'v1-paste-libvirt-proxmox.input.txt');
  const fresh = (await readPaste([{ name: 'paste.txt', bytes: fs.readFileSync(input) }], { now: new Date('2026-12-01T10:00:00Z') })).snapshot;
  const findings = (r: ReturnType<typeof analyze>) => r.findings.map((f) => `${f.severity} ${f.id} ${f.subject ?? ''}`).sort();
  assert.deepEqual(findings(analyzeCaptured(loadSnapshotFile(V1_PASTE))), findings(analyzeCaptured(fresh)));
});

test('check --snapshot on a schemaVersion 1 file gives the verdict it gave before', async () => {
  const r = await runCli(['check', '--snapshot', V1_ROOT, '--json']);
  assert.equal(r.code, 1, r.stderr);
  const report = parseValidated('report', r.stdout);
  assert.equal(report.verdict.layer, 'hypervisor');
  assert.equal(report.verdict.cause, 'vm-config-mismatch');
});

test('a schemaVersion 1 baseline diffs against a new snapshot of the same host with no change', async (t) => {
  const dir = tmp(t);
  const root = await buildHost(v1FixtureHost(), path.join(dir, 'host'));
  const store = path.join(dir, 'store');
  fs.mkdirSync(store);
  const v1 = loadSnapshotFile(V1_ROOT);
  fs.copyFileSync(V1_ROOT, path.join(store, snapshotFileName(v1, 'before-upgrade')));
  const saved = await runCli(['snapshot', '--root', root, '--save', '--dir', store]);
  assert.equal(saved.code, 0, saved.stderr);
  const now = readJson(saved.stdout.trim());
  assert.equal(now['schemaVersion'], SCHEMA_VERSION);
  assert.equal(now['extra'], undefined);
  for (const args of [['diff', '--baseline', 'before-upgrade', '--dir', store, '--json'], ['diff', V1_ROOT, saved.stdout.trim(), '--json']]) {
    const r = await runCli(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    const d = parseValidated('diff', r.stdout);
    assert.deepEqual(d.changes, [], `${args.join(' ')}: ${JSON.stringify(d.changes, null, 1)}`);
  }
  // And the new snapshot's VMs are the ones the old one recorded.
  const fresh = await collectSnapshot({ root });
  assert.deepEqual(fresh.hypervisor!.vms.map((v) => v.name), v1.hypervisor!.vms.map((v) => v.name));
});

test('a labelled snapshot saved now round-trips: the label is a typed field, and the file validates', async (t) => {
  const dir = tmp(t);
  const root = await buildHost(v1FixtureHost(), path.join(dir, 'host'));
  const r = await runCli(['snapshot', '--root', root, '--save', '--dir', path.join(dir, 'store'), '--label', 'pre 6.11']);
  assert.equal(r.code, 0, r.stderr);
  const s = loadSnapshotFile(r.stdout.trim());
  assert.equal(s.label, 'pre 6.11');
  assert.ok(s.hypervisor && s.hypervisor.vms.length === 4);
});

// ---------------------------------------------------------------- wrong shapes (issue 13, reproduction 9)

type Doc = Record<string, any>;
const BAD: { name: string; mutate: (d: Doc) => void; message: RegExp }[] = [
  { name: 'IOMMU group as text', mutate: (d) => (d['pci'][3].iommuGroup = 'abc'), message: /field "pci\[3\]\.iommuGroup" must be a whole number or null \(found a string "abc"\)/ },
  { name: 'a nested object replaced by a number', mutate: (d) => (d['host'].cmdline.iommu = 5), message: /field "host\.cmdline\.iommu" must be an object \(found an integer 5\)/ },
  { name: 'a nullable nested object of the wrong type', mutate: (d) => (d['pci'][0].config.express = 'x'), message: /field "pci\[0\]\.config\.express" must be an object or null \(found a string "x"\)/ },
  { name: 'an empty group record', mutate: (d) => (d['iommu'].groups = [{}]), message: /field "iommu\.groups\[0\]\.id" is missing/ },
  { name: 'groups as an object', mutate: (d) => (d['iommu'].groups = {}), message: /field "iommu\.groups" must be an array or null \(found an object\)/ },
  { name: 'devices of a group as a string', mutate: (d) => (d['iommu'].groups[0].devices = '0000:00:01.0'), message: /field "iommu\.groups\[0\]\.devices" must be an array/ },
  { name: 'a VM assignment with addresses as a number', mutate: (d) => (d['extra'].hypervisor.vms[0].devices[0].addresses = 7), message: /field "hypervisor\.vms\[0\]\.devices\[0\]\.addresses" must be an array .*upgraded on load/ },
  { name: 'a label that is not text', mutate: (d) => (d['extra'].label = ['x']), message: /field "label" must be a string/ },
  { name: 'an origin of no known kind', mutate: (d) => (d['origin'] = { kind: 'root' }), message: /field "origin" matches none of the forms allowed there/ },
  { name: 'a source status that does not exist', mutate: (d) => (d['sources']['proc/cmdline'].status = 'ok'), message: /field "sources\['proc\/cmdline'\]\.status" must be one of "read", "absent", "denied", "error" \(found a string "ok"\)/ },
  { name: 'a kernel config key that is not an option', mutate: (d) => (d['kernelConfig'].options['VFIO'] = 'y'), message: /field "kernelConfig\.options" has a key that is not allowed: "VFIO"/ },
  { name: 'a missing section', mutate: (d) => delete d['modules'], message: /field "modules" is missing/ },
  { name: 'an unknown field in a device', mutate: (d) => (d['pci'][0].slot = 3), message: /field "pci\[0\]\.slot" is not part of a schemaVersion 2 snapshot/ },
  { name: 'schemaVersion as text', mutate: (d) => (d['schemaVersion'] = '1'), message: /field "schemaVersion" must be a whole number \(found a string "1"\)/ },
  { name: 'a PCI address in another spelling', mutate: (d) => (d['pci'][0].address = '0000:0A:00.0'), message: /field "pci\[0\]\.address" does not have the expected form/ },
];

for (const b of BAD) {
  test(`refused with the field named: ${b.name}`, async (t) => {
    const doc = readJson(V1_ROOT);
    b.mutate(doc);
    assert.throws(() => validateSnapshot(structuredClone(doc), 'x.json'), (e: unknown) => e instanceof SnapshotLoadError && b.message.test(e.message) && !e.message.includes('\n'));
    const file = path.join(tmp(t), 'bad.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    for (const args of [['check', '--snapshot', file], ['diff', V1_ROOT, file]]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args[0]}: exit ${r.code}\n${r.stdout.slice(0, 400)}`);
      assert.match(r.stderr, b.message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /internal error|Cannot read properties/);
      assert.equal(r.stdout, '');
    }
  });
}

test('the same document of the current version is refused the same way (no upgrade involved)', () => {
  const doc = JSON.parse(JSON.stringify(loadSnapshotFile(V1_ROOT))) as Doc;
  doc['pci'][3].iommuGroup = 'abc';
  assert.throws(() => validateSnapshot(doc, 'y.json'), /^Error: y\.json: field "pci\[3\]\.iommuGroup" must be a whole number or null \(found a string "abc"\)$/);
});
