import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildHost } from '../fixtures/host-builder.js';
import { HOSTS } from '../fixtures/hosts.js';
import { variant } from '../helpers/scenario.js';
import { listInitramfs, canonicalInitramfsPath } from '../../src/initramfs/index.js';
import { summariseInitramfs } from '../../src/collect/sources/initramfs.js';

// The snapshot's initramfs summary reads the image in one walk; it must see what a full listing sees.
test('the one-walk initramfs summary agrees with the full listing', async (t) => {
  const root = await buildHost(
    variant(HOSTS.intelDesktop, (h) => {
      h.kernel = { ...h.kernel, installed: [{ release: '6.8.0-45-generic', initramfs: { modules: ['nvme', 'vfio', 'vfio_pci', 'nouveau'], files: ['etc/modprobe.d/vfio.conf'], earlyMicrocode: true } }] };
    }),
  );
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const image = path.join(root, 'boot', 'initrd.img-6.8.0-45-generic');
  const listing = await listInitramfs(image);
  const summary = await summariseInitramfs(image, '/boot/initrd.img-6.8.0-45-generic', '6.8.0-45-generic', 60_000);
  assert.equal(summary.entries, listing.entries.length);
  const modulesFromListing = listing.entries
    .map((e) => /\/([^/]+)\.ko(\.(xz|zst|gz))?$/.exec('/' + canonicalInitramfsPath(e.path))?.[1]?.replace(/-/g, '_'))
    .filter((m): m is string => m !== undefined);
  assert.deepEqual(summary.modules, [...new Set(modulesFromListing)].sort());
  assert.ok(summary.modules.includes('vfio_pci') && summary.modules.includes('nouveau'));
});
