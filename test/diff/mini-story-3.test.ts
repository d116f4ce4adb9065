import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { diffSnapshots } from '../../src/diff/diff.js';
import { runCli } from '../helpers/run-cli.js';
import { BOOT_B, HBA, HBA_PORT, NIC, NIC_PORT, collectHost, hostSpec } from './support/hosts.js';

// Playbook mini-story 3: the canary reboot after a kernel update on one board revision shows the
// HBA's IOMMU group now holding the root port it shares with a NIC. The comparison must call it a
// regression, in the isolation layer, naming the HBA, the NIC and the bridges whose ACS changed.

test('mini-story 3: kernel update merges the HBA group with the NIC and its root port', async (t) => {
  const before = await collectHost(hostSpec({ release: '6.8.12-4-pve' }));
  // The new kernel leaves ACS switched off on this board revision's CPU root ports.
  const after = await collectHost(hostSpec({ release: '6.8.12-5-pve', bootId: BOOT_B, rootPortAcs: 'off' }));
  const report = diffSnapshots(before, after);

  assert.equal(report.firstRegressionLayer, 'isolation');
  const regressions = report.changes.filter((c) => c.kind === 'regression');
  assert.equal(regressions.length, 1, regressions.map((c) => c.title).join('\n'));
  const merge = regressions[0]!;
  assert.equal(merge.id, 'iommu-group-merged');
  assert.equal(merge.layer, 'isolation');
  assert.equal(merge.cause, 'group-shared');
  assert.equal(merge.subject, HBA);
  for (const who of [HBA, NIC, HBA_PORT, NIC_PORT]) assert.ok(merge.title.includes(who), `title names ${who}: ${merge.title}`);
  assert.match(merge.title, /SAS3008/);
  assert.match(merge.title, /I210/);
  assert.match(merge.title, new RegExp(`ACS changed on ${HBA_PORT}, ${NIC_PORT}`));

  const acs = merge.evidence.filter((e) => e.what.startsWith('ACS of '));
  assert.deepEqual(acs.map((e) => e.what.slice(7, 19)), [HBA_PORT, NIC_PORT]);
  for (const e of acs) {
    assert.match(e.before!, /ACSCtl SV RR CR UF — isolates/);
    assert.match(e.after!, /ACSCtl none — does not isolate/);
  }
  const joined = merge.evidence.find((e) => e.what.includes(NIC));
  assert.ok(joined, 'the NIC is listed as joining the group');
  assert.match(joined.before!, /^separate/);
  assert.ok(report.changes.some((c) => c.id === 'kernel-changed' && c.kind === 'neutral'));

  // The same through the CLI, as it would go into the change request.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-story3-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const a = path.join(dir, 'canary-before.json');
  const b = path.join(dir, 'canary-after.json');
  fs.writeFileSync(a, JSON.stringify(before));
  fs.writeFileSync(b, JSON.stringify(after));
  const md = await runCli(['diff', a, b, '--markdown']);
  assert.equal(md.code, 1, md.stderr);
  assert.match(md.stdout, /^### vfio-doctor diff/);
  assert.match(md.stdout, /\| isolation \| IOMMU group grew: .*0000:01:00\.0.*0000:02:00\.0.* \| \*\*regression\*\* \| `0000:01:00\.0` \|/);
  assert.match(md.stdout, /#### isolation/);
  const text = await runCli(['diff', a, b]);
  assert.equal(text.code, 1);
  assert.match(text.stdout, /RESULT: 1 regression \(first at the isolation layer\)/);
  assert.doesNotMatch(text.stdout, /\x1b\[/, 'no colour when not on a terminal');
  const summary = await runCli(['diff', a, b, '--summary']);
  assert.equal(summary.stdout.trim().split('\n').length, 1);
  assert.match(summary.stdout, /6\.8\.12-4-pve \(boot 3f2a1c9e\) → 6\.8\.12-5-pve \(boot 7b1d0c2a\): 1 REGRESSION — isolation: IOMMU group grew/);
});
