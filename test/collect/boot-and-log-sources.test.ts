import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildHost } from '../fixtures/host-builder.js';
import { HOSTS } from '../fixtures/hosts.js';
import { variant } from '../helpers/scenario.js';
import { collectSnapshot } from '../../src/collect/collect.js';
import { analyze } from '../../src/analyze/analyze.js';

test('Pop!_OS: kernelstub is the boot loader, and IOMMU fixes go through it', async (t) => {
  // noIommuHost is Pop!_OS with VT-d on in the firmware this time, but intel_iommu=on missing.
  const root = await buildHost(
    variant(HOSTS.noIommuHost, (h) => {
      h.firmware = { ...h.firmware, acpiTables: ['DMAR'] };
      h.cmdlineArgs = ['iommu=pt'];
      h.kernel = { ...h.kernel, installed: [{ release: h.kernel?.release ?? '6.9.3-76060903-generic', config: { CONFIG_INTEL_IOMMU_DEFAULT_ON: 'n' } }] };
    }),
  );
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const s = await collectSnapshot({ root });
  assert.equal(s.boot.loader, 'kernelstub');
  assert.equal(s.sources['etc/kernelstub/configuration']?.status, 'read');
  const r = analyze(s);
  assert.equal(r.verdict.cause, 'iommu-disabled-cmdline');
  const f = r.findings.find((x) => x.id === r.verdict.findingId)!;
  assert.ok(f.commands.includes('kernelstub -a "intel_iommu=on"'), JSON.stringify(f.commands));
});

test('a capture where dmesg failed and nothing else was kept: the kernel log is "denied" with its message', async (t) => {
  const root = await buildHost(variant(HOSTS.intelDesktop, (h) => void (h.logs = { dmesg: { stderr: 'dmesg: read kernel buffer failed: Operation not permitted\n', exitCode: 1 }, journalctl: null, kernLog: null })));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  assert.ok(fs.existsSync(path.join(root, 'commands', 'dmesg.stderr')), 'the fixture records the failure the documented way');
  const s = await collectSnapshot({ root });
  assert.equal(s.kernelLog, null);
  assert.equal(s.sources['kernel-log']?.status, 'denied');
  assert.match(s.sources['kernel-log']?.message ?? '', /read kernel buffer failed: Operation not permitted/);
});
