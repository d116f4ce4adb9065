import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { requireTool, run } from '../helpers/tools.js';
import { parseValidated } from '../helpers/json-output.js';

// The machine running the tests is a real host: in CI a small VM without an IOMMU. The bundled CLI
// must give a correct answer here, and agree with libvirt's virt-host-validate.

const cli = path.join(repoRoot, 'dist', 'vfio-doctor.mjs');
const hasIommu = fs.existsSync('/sys/kernel/iommu_groups') && fs.readdirSync('/sys/kernel/iommu_groups').length > 0;

test('live snapshot succeeds and says what is absent', async () => {
  const r = await run(process.execPath, [cli, 'snapshot']);
  assert.equal(r.code, 0, r.stderr);
  const s = parseValidated('snapshot', r.stdout);
  assert.equal(s.origin.kind, 'live');
  assert.ok(Object.keys(s.sources).length > 10);
  for (const [id, rec] of Object.entries(s.sources) as [string, { status: string; message?: string }][]) {
    if (rec.status !== 'read') assert.ok(rec.message && rec.message.length > 0, `source ${id} (${rec.status}) must say why`);
  }
  if (!hasIommu) assert.deepEqual(s.iommu.groups ?? [], []);
});

test('live check agrees with virt-host-validate that the IOMMU is not usable here', { skip: hasIommu ? 'this machine has an active IOMMU' : false }, async (t) => {
  const vhv = requireTool('virt-host-validate', 'libvirt-clients');
  if (typeof vhv !== 'string') return t.skip(vhv.skip);
  const [ours, theirs] = await Promise.all([run(process.execPath, [cli, 'check', '--json']), run(vhv, ['qemu'], { env: { ...process.env, LC_ALL: 'C' } })]);
  const report = parseValidated('report', ours.stdout);
  assert.equal(ours.code, 1, 'a broken chain exits 1');
  assert.equal(report.verdict.status, 'broken');
  assert.ok(['firmware', 'kernel'].includes(report.verdict.layer ?? ''), `verdict layer ${report.verdict.layer}`);
  assert.ok(['iommu-disabled-firmware', 'iommu-disabled-cmdline', 'iommu-inactive'].includes(report.verdict.cause ?? ''), String(report.verdict.cause));
  const line = (theirs.stdout + theirs.stderr).split('\n').find((l) => /device assignment IOMMU support/.test(l));
  assert.ok(line, `virt-host-validate printed no IOMMU line:\n${theirs.stdout}`);
  assert.doesNotMatch(line!, /: PASS/, 'virt-host-validate must not call the IOMMU usable either');
});

test('as a non-root user: says what it could not read, and no verdict rests on missing data', { skip: process.geteuid?.() !== 0 ? 'needs root to switch to an unprivileged user' : false }, async (t) => {
  const setpriv = requireTool('setpriv', 'util-linux');
  if (typeof setpriv !== 'string') return t.skip(setpriv.skip);
  const r = await run(setpriv, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cli, 'check', '--json'], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C' } });
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const report = parseValidated('report', r.stdout);
  // The ACPI table names and the group directory are readable by anyone: the IOMMU verdict stands.
  if (!hasIommu) assert.equal(report.verdict.layer, 'firmware');
  const unreadable = report.unchecked.map((u: { check: string; reason: string }) => `${u.check}: ${u.reason}`).join('\n');
  const snap = parseValidated('snapshot', (await run(setpriv, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cli, 'snapshot'])).stdout);
  assert.equal(snap.privileged, false);
  for (const d of snap.pci as { address: string; configStatus: { status: string; message?: string } }[]) {
    assert.equal(d.configStatus.status, 'denied', `${d.address}: a non-root config read is 64 bytes`);
    assert.match(d.configStatus.message ?? '', /without root/);
    assert.match(unreadable, new RegExp(`source:pci:${d.address.replace(/\./g, '\\.')}:config: denied`));
  }
});
