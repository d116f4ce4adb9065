// What preflight asks of the new kernel's files: modules.alias only about the targets' vendors, and the
// image only as far as the files of vfio_pci and the targets' host drivers.

import test from 'node:test';
import assert from 'node:assert/strict';
import { indexAliases, modulesForModalias } from '../../src/modules/alias-match.js';
import { aliasLinesFor, modaliasVendors } from '../../src/preflight/next-kernel.js';
import { modulesStopLimit } from '../../src/preflight/next-initramfs.js';
import type { NextKernel } from '../../src/preflight/types.js';

const ALIASES = [
  '# Aliases extracted from modules themselves.',
  'alias pci:v000010DEd*sv*sd*bc03sc*i00* nouveau',
  'alias pci:v000010ded00001E87sv*sd*bc*sc*i* nvidiafb',
  'alias pci:v*d*sv*sd*bc0Csc03i30* xhci_pci',
  'alias pci:v00008086d00001901sv*sd*bc*sc*i* pcieport_test',
  'alias usb:v1D6Bp0002d*dc*dsc*dp*ic*isc*ip*in* usbcore',
  'alias pci:v000010DEd*sv*sd*bc04sc03i00* snd_hda_intel',
  'alias pci:v[0-9]*d*sv*sd*bc04sc03i00* odd_glob',
  'alias pci:v00001002d*sv*sd*bc03sc*i* amdgpu',
  '  alias pci:v000010DEd*sv*sd*bc03sc*i* indented_is_ignored',
  'alias pci:v000010DEd*sv*sd*bc04sc03i00* snd_hda_intel',
  'alias pci:v000010DEd*sv*sd*bc03sc*i*\tlast_line_without_newline',
].join('\n');

test('modules.alias indexed for the targets\' vendors answers for them as the whole file does', () => {
  const full = indexAliases(ALIASES);
  const modaliases = [
    'pci:v000010DEd00001E87sv00001458sd000037C1bc03sc00i00',
    'pci:v000010DEd000010F8sv00001458sd000037C1bc04sc03i00',
    'pci:v00008086d00001901sv00000000sd00000000bc06sc04i00',
    'pci:v00001002d000067DFsv00001002sd00000B31bc03sc00i00',
    'pci:v00001B21d00002142sv00001B21sd00002142bc0Csc03i30',
  ];
  for (const m of modaliases) {
    const vendors = modaliasVendors([m, null, undefined]);
    assert.equal(vendors.size, 1);
    const part = indexAliases(aliasLinesFor(ALIASES, vendors));
    assert.deepEqual(modulesForModalias(part, m), modulesForModalias(full, m), m);
  }
  const nvidia = aliasLinesFor(ALIASES, new Set(['000010DE']));
  assert.ok(!nvidia.includes('amdgpu') && !nvidia.includes('usbcore') && !nvidia.includes('indented_is_ignored'));
  assert.ok(nvidia.includes('xhci_pci') && nvidia.includes('odd_glob') && nvidia.includes('nvidiafb'));
  assert.equal(aliasLinesFor('alias pci:v000010DEd*sv*sd*bc03sc*i* first', new Set(['000010DE'])), 'alias pci:v000010DEd*sv*sd*bc03sc*i* first');
  assert.equal(aliasLinesFor('', new Set(['000010DE'])), '');
});

function kernelWith(files: Record<string, string>, dir = '/lib/modules/6.1.0-57-amd64'): NextKernel {
  return {
    version: '6.1.0-57-amd64',
    majorMinor: [6, 1],
    modulesDir: dir,
    builtin: new Set(),
    onDisk: new Map(Object.entries(files).map(([name, rel]) => [name, { name, path: `${dir}/${rel}` }])),
    aliases: null,
    config: null,
  };
}

test('the image is read only past the files of the modules asked about, or to the end when one has no file', () => {
  const k = kernelWith({
    vfio_pci: 'kernel/drivers/vfio/pci/vfio-pci.ko',
    nouveau: 'kernel/drivers/gpu/drm/nouveau/nouveau.ko.xz',
    snd_hda_intel: 'kernel/sound/pci/hda/snd-hda-intel.ko',
  });
  const base = 'usr/lib/modules/6.1.0-57-amd64/kernel';
  assert.equal(modulesStopLimit(k, ['vfio_pci', 'nouveau']), `${base}/drivers/vfio/pci/vfio-pci.kp`);
  assert.equal(modulesStopLimit(k, ['nouveau']), `${base}/drivers/gpu/drm/nouveau/nouveau.kp`);
  assert.equal(modulesStopLimit(k, ['vfio-pci', 'snd_hda_intel', 'nouveau']), `${base}/sound/pci/hda/snd-hda-intel.kp`);
  // Every spelling of the module file sorts before the limit, the next file after it.
  const limit = modulesStopLimit(k, ['nouveau'])!;
  for (const ext of ['.ko', '.ko.xz', '.ko.zst', '.ko.gz']) assert.ok(`${base}/drivers/gpu/drm/nouveau/nouveau${ext}` < limit);
  assert.ok(`${base}/drivers/gpu/drm/nouveau/nouveau_x.ko` > limit);
  assert.equal(modulesStopLimit(k, ['vfio_pci', 'amdgpu']), null);
  assert.equal(modulesStopLimit(k, []), null);
  assert.equal(modulesStopLimit({ ...k, modulesDir: null }, ['vfio_pci']), null);
  assert.equal(modulesStopLimit(kernelWith({ vfio_pci: 'kernel/drivers/vfio/pci/vfio-pci.ko' }, '/usr/lib/modules/6.1.0-57-amd64'), ['vfio_pci']), `${base}/drivers/vfio/pci/vfio-pci.kp`);
});
