import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { overlongLines, words } from '../helpers/text-width.js';
import { compareVersions } from '../../src/fleet/version-order.js';
import { NEW, OLD, SKU_A, SKU_B, SKU_C, bootOf, collectedHosts, saveBoots, tempDir, threeSkuFleet } from './support.js';
import { parseValidated } from '../helpers/json-output.js';

interface JsonSku {
  id: string;
  hardware: { vendor: string; product: string; board: string; cpu: string };
  targetIds: string[];
  hosts: { name: string; boots: number; biosVersion: string; latest: { kernel: string } }[];
  kernels: { release: string; hosts: number }[];
  biosVersions: { version: string; hosts: number }[];
  layers: Record<string, Record<string, number>>;
  canary: {
    kernel: string;
    decision: string;
    suggestion: string | null;
    reason: string;
    canaries: { host: string; outcome: string; on: { kernel: string }; previous: { kernel: string } | null; regressions: { id: string; layer: string; subject: string | null }[] }[];
  };
}

function skuOf(skus: JsonSku[], product: string): JsonSku {
  const s = skus.find((x) => x.hardware.product === product);
  assert.ok(s, `a SKU for ${product}`);
  return s;
}

test('compareVersions orders kernel releases and BIOS versions piecewise', () => {
  const sorted = ['6.8.12-10-pve', '6.8.12-4-pve', '6.11.0-1-pve', '6.8.12-5-pve', '6.8.9-1-pve'].sort(compareVersions);
  assert.deepEqual(sorted, ['6.8.9-1-pve', '6.8.12-4-pve', '6.8.12-5-pve', '6.8.12-10-pve', '6.11.0-1-pve']);
  assert.ok(compareVersions('2.10', '2.9') > 0);
  assert.ok(compareVersions('U30 v2.72', 'U30 v2.8') > 0);
  assert.equal(compareVersions('3.4', '3.4'), 0);
  assert.ok(compareVersions('6.8', '6.8.1') < 0);
});

test('fleet: three SKUs — a regressed canary holds, a healthy canary goes, no canary names a host', async (t) => {
  const dir = tempDir(t);
  saveBoots(dir, await threeSkuFleet());

  const r = await runCli(['fleet', dir, '--json']);
  assert.equal(r.code, 1, r.stderr);
  const report = parseValidated('fleet', r.stdout) as { kernel: string; kernelFrom: string; snapshots: number; hosts: number; skus: JsonSku[] };
  assert.equal(report.kernel, NEW, 'the newest kernel seen is decided on');
  assert.equal(report.kernelFrom, 'newest');
  assert.equal(report.snapshots, 10);
  assert.equal(report.hosts, 6);
  assert.equal(report.skus.length, 3);

  const a = skuOf(report.skus, SKU_A.product);
  assert.equal(a.canary.decision, 'hold');
  assert.deepEqual(a.hosts.map((h) => h.name), ['a1', 'a2']);
  assert.deepEqual(a.targetIds, ['1000:0097', '10de:10f8', '10de:1e87']);
  assert.equal(a.hardware.cpu, SKU_A.cpu);
  const run = a.canary.canaries.find((c) => c.host === 'a1');
  assert.ok(run);
  assert.equal(run.outcome, 'regressed');
  assert.equal(run.on.kernel, NEW);
  assert.equal(run.previous?.kernel, OLD);
  assert.ok(run.regressions.some((x) => x.id === 'iommu-group-merged' && x.layer === 'isolation' && x.subject === '0000:01:00.0'), JSON.stringify(run.regressions));
  assert.match(a.canary.reason, /canary a1 regressed on 6\.8\.12-5-pve against 6\.8\.12-4-pve — isolation: IOMMU group grew/);
  // a1 was rolled back: it runs the old kernel now, and its regression on the new one still holds the SKU.
  assert.equal(a.hosts[0]!.latest.kernel, OLD);
  assert.deepEqual(a.kernels, [{ release: OLD, hosts: 2 }]);

  const b = skuOf(report.skus, SKU_B.product);
  assert.equal(b.canary.decision, 'go');
  assert.equal(b.canary.canaries.length, 1);
  assert.equal(b.canary.canaries[0]!.host, 'b1');
  assert.equal(b.canary.canaries[0]!.outcome, 'clean');
  assert.match(b.canary.reason, /canary b1 booted 6\.8\.12-5-pve with no regression against 6\.8\.12-4-pve/);
  assert.deepEqual(b.kernels, [{ release: NEW, hosts: 1 }, { release: OLD, hosts: 1 }]);
  assert.deepEqual(b.biosVersions, [{ version: '2.19.1', hosts: 1 }, { version: '2.17.1', hosts: 1 }]);
  assert.deepEqual(b.layers['isolation'], { ok: 2, warn: 0, fail: 0, undetermined: 0 });

  const c = skuOf(report.skus, SKU_C.product);
  assert.equal(c.canary.decision, 'no-canary');
  assert.equal(c.canary.canaries.length, 0);
  assert.equal(c.canary.suggestion, 'c2', 'the healthy host with the longest history');
  assert.match(c.canary.reason, /no host of this SKU has booted 6\.8\.12-5-pve yet: reboot c2 into it first/);
  assert.deepEqual(c.hosts.map((h) => [h.name, h.boots, h.biosVersion]), [['c1', 1, 'U30 v2.72'], ['c2', 2, 'U30 v2.72']]);

  // Each fact on one line, as a terminal wide enough shows it; at the default 80 columns, nothing wider.
  const text = await runCli(['fleet', dir], { env: { COLUMNS: '300' } });
  const at80 = await runCli(['fleet', dir]);
  assert.deepEqual(overlongLines(at80.stdout, 80), []);
  assert.equal(words(at80.stdout), words(text.stdout));
  assert.equal(text.code, 1);
  assert.match(text.stdout, /^vfio-doctor fleet: 10 snapshots, 6 hosts, 3 SKUs — kernel 6\.8\.12-5-pve \(newest seen\)/);
  assert.match(text.stdout, /canary for 6\.8\.12-5-pve: HOLD — canary a1 regressed/);
  assert.match(text.stdout, /canary a1: 6\.8\.12-4-pve → 6\.8\.12-5-pve: \d+ regressions?\n\s+isolation\s+IOMMU group grew/);
  assert.match(text.stdout, /canary for 6\.8\.12-5-pve: GO — canary b1/);
  assert.match(text.stdout, /canary for 6\.8\.12-5-pve: NO CANARY YET — .*reboot c2/);
  assert.match(text.stdout, /b2\s+6\.8\.12-4-pve\s+BIOS 2\.17\.1 \(01\/02\/2026\)\s+healthy/);
  assert.match(text.stdout, /RESULT for 6\.8\.12-5-pve: 1 SKU hold, 1 go, 1 without a canary/);
  assert.doesNotMatch(text.stdout, /\x1b\[/);
});

test('fleet --kernel: hosts that booted the kernel first have no baseline; without a hold the exit is 0', async (t) => {
  const dir = tempDir(t);
  saveBoots(dir, await threeSkuFleet());
  const r = await runCli(['fleet', dir, '--kernel', OLD, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = parseValidated('fleet', r.stdout) as { kernel: string; kernelFrom: string; skus: JsonSku[] };
  assert.equal(report.kernelFrom, 'option');
  // a1 went back to the old kernel after the new one regressed: that boot compares cleanly with the new kernel.
  const a = skuOf(report.skus, SKU_A.product);
  assert.equal(a.canary.decision, 'go');
  assert.equal(a.canary.canaries.find((c) => c.host === 'a1')?.previous?.kernel, NEW);
  for (const s of report.skus.filter((x) => x !== a)) {
    assert.equal(s.canary.decision, 'no-canary');
    assert.ok(s.canary.canaries.every((c) => c.outcome === 'no-baseline'));
    assert.equal(s.canary.suggestion, null);
    assert.match(s.canary.reason, /with no earlier boot on another kernel to compare; every host of this SKU already runs it/);
  }
  const unseen = await runCli(['fleet', dir, '--kernel', '6.9.0-1-pve']);
  assert.equal(unseen.code, 0);
  assert.match(unseen.stdout, /note: no snapshot shows kernel 6\.9\.0-1-pve: no host has booted it/);
});

test('fleet reads loose snapshot files of any name, and one file per boot of the same host', async (t) => {
  const dir = tempDir(t);
  const { old, fresh } = await collectedHosts();
  const files: string[] = [];
  for (const [name, snap] of [
    ['x1-before.json', bootOf(old, 'x1', SKU_B, '2026-11-01T08:00:00Z')],
    ['x1-after.json', bootOf(fresh, 'x1', SKU_B, '2026-11-02T08:00:00Z')],
  ] as const) {
    const f = path.join(dir, name);
    fs.writeFileSync(f, JSON.stringify(snap));
    files.push(f);
  }
  const r = await runCli(['fleet', ...files, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = parseValidated('fleet', r.stdout) as { hosts: number; skus: JsonSku[] };
  assert.equal(report.hosts, 1);
  assert.equal(report.skus[0]!.canary.decision, 'go');
  // A directory is read as a store: loose names in it are not snapshots of the store layout.
  const none = await runCli(['fleet', dir]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no stored snapshots in this directory or below/);
});

test('fleet: bad input is one line and exit 2', async (t) => {
  const dir = tempDir(t);
  const missing = await runCli(['fleet', path.join(dir, 'nope')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^vfio-doctor fleet: .*nope: no such file or directory\n$/);
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, '{"schemaVersion": 1, "tool": {"name": "vfio-doctor"');
  const corrupt = await runCli(['fleet', bad]);
  assert.equal(corrupt.code, 2);
  assert.match(corrupt.stderr, /bad\.json: not valid JSON/);
  assert.equal(corrupt.stderr.trim().split('\n').length, 1);
  const usage = await runCli(['fleet']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /give at least one snapshot store directory or snapshot file/);
  const kernel = await runCli(['fleet', dir, '--kernel', 'a b']);
  assert.equal(kernel.code, 2);
  assert.match(kernel.stderr, /--kernel a b: not a kernel release/);
});
