import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildHost } from '../fixtures/host-builder.js';
import { intelDesktop } from '../fixtures/hosts.js';
import { miniStory1 } from '../helpers/scenario.js';
import { tempDir } from '../helpers/temp.js';
import { runCli } from '../helpers/run-cli.js';
import { collectSnapshot } from '../../src/collect/collect.js';
import { analyze, imageCanMatter } from '../../src/analyze/analyze.js';

// check decompresses the running kernel's initramfs only when a target's host driver could race vfio-pci
// inside it; with every target on vfio-pci the image cannot change the report, and is left unread.

function reportOf(stdout: string): unknown {
  const r = JSON.parse(stdout) as { verdict: unknown; findings: unknown; targets: unknown };
  return { verdict: r.verdict, findings: r.findings, targets: r.targets };
}

test('every target bound to vfio-pci: the image is not read, and the report is the one a full snapshot gives', async (t) => {
  const dir = tempDir('image-unread', t);
  const root = await buildHost(intelDesktop, path.join(dir, 'host'));
  const s = await collectSnapshot({ root, readInitramfs: (c) => imageCanMatter(c) });
  assert.equal(s.initramfs, null);
  assert.equal(s.sources['initramfs']?.status, 'absent');
  assert.match(s.sources['initramfs']?.message ?? '', /^not read: /);
  assert.equal(s.sources['initramfs']?.path, '/boot/initrd.img-6.8.0-45-generic');

  const full = await collectSnapshot({ root });
  assert.notEqual(full.initramfs, null, 'the snapshot command still reads the image');
  assert.equal(imageCanMatter(full), false);
  assert.deepEqual(analyze(s).findings, analyze(full).findings);

  const file = path.join(dir, 'full.json');
  assert.equal((await runCli(['snapshot', '--root', root, '-o', file])).code, 0);
  const direct = await runCli(['check', '--root', root, '--json']);
  const saved = await runCli(['check', '--snapshot', file, '--json']);
  assert.equal(direct.code, saved.code);
  assert.deepEqual(reportOf(direct.stdout), reportOf(saved.stdout));
});

test('a target left on its host driver: check reads the image and finds the driver racing vfio-pci in it', async (t) => {
  const root = await buildHost(
    miniStory1(),
    path.join(tempDir('image-read', t), 'host'),
  );
  const s = await collectSnapshot({ root, readInitramfs: (c) => imageCanMatter(c) });
  assert.equal(s.sources['initramfs']?.status, 'read');
  assert.ok(s.initramfs?.modules.includes('nouveau'));
  const r = await runCli(['check', '--root', root, '--json']);
  const findings = (JSON.parse(r.stdout) as { findings: { cause: string }[] }).findings;
  assert.ok(findings.some((f) => f.cause === 'initramfs-missing-vfio'), JSON.stringify(findings.map((f) => f.cause)));
});

test('an image that is not a file is reported the same way whether or not it was going to be read', async (t) => {
  const root = await buildHost(intelDesktop, path.join(tempDir('image-dir', t), 'host'));
  const image = path.join(root, 'boot', 'initrd.img-6.8.0-45-generic');
  fs.rmSync(image);
  fs.mkdirSync(image);
  const unread = await collectSnapshot({ root, readInitramfs: (c) => imageCanMatter(c) });
  const read = await collectSnapshot({ root });
  assert.deepEqual(unread.sources['initramfs'], { status: 'error', path: '/boot/initrd.img-6.8.0-45-generic', message: 'not a regular file, not read' });
  assert.deepEqual(read.sources['initramfs'], unread.sources['initramfs']);
});
