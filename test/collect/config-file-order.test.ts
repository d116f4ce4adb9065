// modprobe.d files are read in the order kmod reads them: strcmp of their names, whichever directory
// each is in (digits, then capitals, then lower case; '-' before '_'), a name in /etc hiding the same
// name in /usr/lib. Checked against kmod itself: the options lines `modprobe -C DIR -C DIR --showconfig`
// prints come in the order of the files it read.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildHost } from '../fixtures/host-builder.js';
import { HOSTS } from '../fixtures/hosts.js';
import { variant } from '../helpers/scenario.js';
import { findTool } from '../helpers/tools.js';
import { collectSnapshot } from '../../src/collect/collect.js';

const FILES: Record<string, string> = {
  'vfio_pci.conf': 'options vfio_pci ids=1111:0001',
  'vfio-pci.conf': 'options vfio_pci ids=2222:0002',
  'Vfio.conf': 'options vfio_pci ids=3333:0003',
  'amd.conf': 'options vfio_pci ids=4444:0004',
  '10-gpu.conf': 'options vfio_pci ids=5555:0005',
  '9-gpu.conf': 'options vfio_pci ids=6666:0006',
};

const modprobe = findTool('modprobe');

test('modprobe.d entries in the order kmod reads the files', { skip: modprobe ? false : 'kmod (modprobe) not installed' }, async (t) => {
  const root = await buildHost(variant(HOSTS.intelDesktop, (h) => void (h.modprobe = FILES)));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  // The distribution's directory: one file of its own, one hidden by /etc's file of the same name.
  const vendorDir = path.join(root, 'usr/lib/modprobe.d');
  fs.mkdirSync(vendorDir, { recursive: true });
  fs.writeFileSync(path.join(vendorDir, 'Amd.conf'), 'options vfio_pci ids=7777:0007\n');
  fs.writeFileSync(path.join(vendorDir, 'amd.conf'), 'options vfio_pci ids=8888:0008\n');
  const s = await collectSnapshot({ root });
  const ours = s.modules.modprobe.filter((e) => e.kind === 'options' && e.module === 'vfio_pci').map((e) => `options vfio_pci ${e.value}`);

  const shown = spawnSync(modprobe!, ['-C', path.join(root, 'etc/modprobe.d'), '-C', vendorDir, '--showconfig'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(shown.status, 0, shown.stderr);
  const kmod = shown.stdout.split('\n').filter((l) => l.startsWith('options vfio_pci '));
  assert.equal(kmod.length, Object.keys(FILES).length + 1, shown.stdout);
  assert.deepEqual(ours, kmod);
  assert.deepEqual(ours.map((l) => l.slice(-4)), ['0005', '0006', '0007', '0003', '0004', '0002', '0001']);
});
