// Each set of ids is looked up in pci.ids once per collection (a large host repeats a few models hundreds
// of times); every function must still get the names a fresh lookup gives, in an object of its own.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HostFs } from '../../src/collect/host-fs.js';
import { loadPciNames } from '../../src/collect/sources/pci-names.js';
import { loadPciIds } from '../../src/pci/ids.js';

const IDS = [
  '# Version: 2026.01.01',
  '10de  NVIDIA Corporation',
  '\t1e87  TU104 [GeForce RTX 2080 Rev. A]',
  '\t\t1462 3721  GeForce RTX 2080 Gaming X Trio',
  '\t10f8  TU104 HD Audio Controller',
  '8086  Intel Corporation',
  '\t1572  Ethernet Controller X710 for 10GbE SFP+',
  'C 03  Display controller',
  '\t00  VGA compatible controller',
  'C 02  Network controller',
  '\t00  Ethernet controller',
  '',
].join('\n');

test('pci.ids names looked up once per set of ids equal a fresh lookup, each function with its own object', (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-names-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.mkdirSync(path.join(root, 'usr', 'share', 'misc'), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr', 'share', 'misc', 'pci.ids'), IDS);
  const lookup = loadPciNames({ fs: new HostFs(root), live: false, sources: {}, commandTimeoutMs: 1000 });
  assert.ok(lookup);
  const db = loadPciIds(IDS);
  const functions = [
    { vendorId: '10de', deviceId: '1e87', subsystemVendorId: '1462', subsystemDeviceId: '3721', classCode: '030000' },
    { vendorId: '10de', deviceId: '1e87', subsystemVendorId: null, subsystemDeviceId: null, classCode: '030000' },
    { vendorId: '10de', deviceId: '10f8', subsystemVendorId: '1462', subsystemDeviceId: '3721', classCode: '040300' },
    { vendorId: '8086', deviceId: '1572', subsystemVendorId: '8086', subsystemDeviceId: '0000', classCode: '020000' },
    { vendorId: '8086', deviceId: '1572', subsystemVendorId: '8086', subsystemDeviceId: '0000', classCode: '030000' },
    { vendorId: 'ffff', deviceId: 'ffff', subsystemVendorId: null, subsystemDeviceId: null, classCode: '000000' },
  ];
  const given: object[] = [];
  for (let round = 0; round < 3; round++) {
    for (const f of functions) {
      const names = lookup(f);
      assert.deepEqual(names, db.lookup(f.vendorId, f.deviceId, f.subsystemVendorId, f.subsystemDeviceId, f.classCode), JSON.stringify(f));
      assert.ok(!given.includes(names!), 'a fresh object for every function');
      given.push(names!);
    }
  }
});
