// check reads reset_method, power_state, modalias, boot_vga ... only of the functions its analysis asks
// them of (collectSnapshot's detailFor); snapshot reads every field of every function. The analysis of
// a light collection must be the analysis of a full one, whatever the targets.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildHost } from '../fixtures/host-builder.js';
import { HOSTS, amdWorkstation } from '../fixtures/hosts.js';
import { variant } from '../helpers/scenario.js';
import { collectSnapshot } from '../../src/collect/collect.js';
import { analyze, devicesNeedingDetail } from '../../src/analyze/analyze.js';
import type { AnalysisOptions } from '../../src/analyze/context.js';
import type { PciDevice, Snapshot } from '../../src/snapshot/types.js';

const DETAIL: (keyof PciDevice)[] = ['revision', 'modalias', 'bootVga', 'resetMethods', 'd3coldAllowed', 'powerState', 'numaNode', 'virtfns'];

/** A report without what differs between two collections of the same tree (nothing should). */
function judged(snap: Snapshot, opts: AnalysisOptions): unknown {
  return JSON.parse(JSON.stringify(analyze(snap, opts)));
}

// The VM's boot GPU (boot_vga=1, hostpci0 of VM 100) beside a second display the host keeps: boot_vga is
// read only of displays a VM is given or of a host's only display, so this host must take the VM branch.
const twoDisplaysOneForAVm = variant(amdWorkstation, (h) => {
  h.pci![0]!.devices.push({ at: '09.0', id: '1002:73bf', class: 0x030000, subsys: '1002:0e3a', driver: 'amdgpu', bootVga: false, conventional: true });
});

/** The analysis of light collections of the tree at root, for its own targets and for each function as --device, is the full one's. */
async function assertLightMatchesFull(name: string, root: string): Promise<void> {
  const now = new Date('2026-01-01T00:00:00Z');
  const full = await collectSnapshot({ root, now });
  const optionSets: AnalysisOptions[] = [{}, ...full.pci.map((d) => ({ devices: [d.address] }))];
  for (const opts of optionSets) {
    const light = await collectSnapshot({ root, now, detailFor: (collected) => devicesNeedingDetail(collected, opts) });
    assert.deepEqual(judged(light, opts), judged(full, opts), `${name} ${JSON.stringify(opts)}`);
    const detailed = new Set(devicesNeedingDetail(light, opts));
    for (const d of light.pci) {
      const f = full.pci.find((x) => x.address === d.address)!;
      if (detailed.has(d.address)) assert.deepEqual(d, f, `${name}: ${d.address} is read in full`);
      else {
        for (const k of DETAIL) assert.deepEqual(d[k], k === 'virtfns' ? [] : null, `${name}: ${d.address} ${k} not read`);
        const { revision, modalias, bootVga, resetMethods, d3coldAllowed, powerState, numaNode, virtfns, ...kept } = f;
        void [revision, modalias, bootVga, resetMethods, d3coldAllowed, powerState, numaNode, virtfns];
        assert.deepEqual({ ...d, ...kept }, d, `${name}: ${d.address} keeps everything else`);
      }
    }
    // aliasMatches holds the detailed functions' modaliases, as the full collection matched them.
    for (const [alias, modules] of Object.entries(light.modules.aliasMatches ?? {})) assert.deepEqual(modules, full.modules.aliasMatches?.[alias], alias);
    const { aliasMatches: a, ...lightModules } = light.modules;
    const { aliasMatches: b, ...fullModules } = full.modules;
    assert.equal(a === null, b === null);
    assert.deepEqual(lightModules, fullModules);
    assert.deepEqual({ ...light, pci: [], modules: null }, { ...full, pci: [], modules: null });
  }
}

for (const [name, spec] of Object.entries({ ...HOSTS, twoDisplaysOneForAVm })) {
  test(`a light collection of host "${name}" gives the full one's analysis, for the host's own targets and for each function as --device`, async (t) => {
    const root = await buildHost(spec);
    t.after(() => fs.rmSync(root, { recursive: true, force: true }));
    await assertLightMatchesFull(name, root);
  });
}

/** Every config space file under the tree cut to its first 64 bytes, what a user who is not root reads. */
function cutConfigSpaces(root: string): number {
  let cut = 0;
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name === 'config' && fs.statSync(p).size > 64) {
        fs.truncateSync(p, 64);
        cut++;
      }
    }
  };
  walk(path.join(root, 'sys', 'devices'));
  return cut;
}

// Without root, config space stops after the header: no capabilities, no FLR, no ACS. The light
// collection must judge such a host as the full one does (the analysis says what it could not see).
for (const name of ['intelDesktop', 'amdWorkstation', 'sriovServer', 'switchHostWithoutAcs'] as const) {
  test(`a light collection of host "${name}" with config spaces cut to 64 bytes (not root) gives the full one's analysis`, async (t) => {
    const root = await buildHost(HOSTS[name]);
    t.after(() => fs.rmSync(root, { recursive: true, force: true }));
    assert.ok(cutConfigSpaces(root) > 0, 'config spaces were longer than 64 bytes');
    const snap = await collectSnapshot({ root });
    assert.ok(snap.pci.length > 0 && snap.pci.every((d) => d.configStatus.status === 'denied'), 'every config space reads as cut short by permissions');
    await assertLightMatchesFull(`${name} (64-byte config)`, root);
  });
}

test('snapshot (no detailFor) reads every field of every function', async (t) => {
  const root = await buildHost(HOSTS.sriovServer);
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const snap = await collectSnapshot({ root });
  for (const d of snap.pci) {
    for (const k of ['revision', 'modalias', 'd3coldAllowed', 'powerState', 'numaNode'] as const) assert.notEqual(d[k], null, `${d.address} ${k}`);
    if (d.modalias !== null) assert.ok(snap.modules.aliasMatches === null || d.modalias in snap.modules.aliasMatches, `${d.address} modalias matched`);
  }
  assert.ok(snap.pci.some((d) => d.resetMethods !== null), 'reset methods read');
  assert.ok(snap.pci.some((d) => d.virtfns.length > 0), 'VF links read');
});

// Which displays have their boot_vga read: the only display, or one a VM is given; not a display of a
// host with several and no VM asking for it (the bench's server has hundreds of GPUs).
const detailCases: { host: string; spec: typeof amdWorkstation; opts: AnalysisOptions; detailed: string[]; light: string[] }[] = [
  { host: 'the only display, not a target', spec: HOSTS.sriovServer, opts: {}, detailed: ['0000:02:00.0'], light: [] },
  { host: 'two displays, no VM: the one not a target', spec: HOSTS.intelDesktop, opts: {}, detailed: ['0000:01:00.0'], light: ['0000:00:02.0'] },
  { host: "two displays, the VM's asked for by --device of another", spec: twoDisplaysOneForAVm, opts: { devices: ['0000:02:00.0'] }, detailed: ['0000:0b:00.0'], light: ['0000:00:09.0'] },
];

for (const c of detailCases) {
  test(`boot_vga is read of the displays the analysis judges by it: ${c.host}`, async (t) => {
    const root = await buildHost(c.spec);
    t.after(() => fs.rmSync(root, { recursive: true, force: true }));
    const light = await collectSnapshot({ root, detailFor: (collected) => devicesNeedingDetail(collected, c.opts) });
    const wanted = new Set(devicesNeedingDetail(light, c.opts));
    for (const a of c.detailed) assert.ok(wanted.has(a), `${a} detailed`);
    for (const a of c.light) assert.ok(!wanted.has(a), `${a} not detailed`);
    for (const a of c.light) assert.equal(light.pci.find((d) => d.address === a)?.bootVga, null, `${a} boot_vga not read`);
  });
}
