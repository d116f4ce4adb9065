// A pasted PF's SR-IOV capability gives its VFs their PF and ids: real lspci -vv of the PF (read from a
// fixture tree) and a kernel line naming one VF only by address.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { buildHost } from '../fixtures/host-builder.js';
import { HOSTS } from '../fixtures/hosts.js';
import { readPaste } from '../../src/paste/read-paste.js';
import { virtualFunctionAddresses } from '../../src/pci/sriov-routing.js';
import { requireTool, run } from '../helpers/tools.js';

test('VF routing ids: first VF offset and stride from the PF, onto the next bus when they run over', () => {
  assert.deepEqual(virtualFunctionAddresses('0000:18:00.0', 16, 1, 3), ['0000:18:02.0', '0000:18:02.1', '0000:18:02.2']);
  assert.deepEqual(virtualFunctionAddresses('0000:3b:00.1', 0x80, 2, 2), ['0000:3b:10.1', '0000:3b:10.3']);
  assert.deepEqual(virtualFunctionAddresses('0000:05:00.0', 0xfe, 1, 4), ['0000:05:1f.6', '0000:05:1f.7', '0000:06:00.0', '0000:06:00.1']);
  assert.deepEqual(virtualFunctionAddresses('0000:05:00.0', 0, 1, 4), []);
});

test('a VF named only by a log line takes its PF and ids from the PF\'s SR-IOV capability in lspci -vv', async (t) => {
  const lspci = requireTool('lspci', 'pciutils');
  if (typeof lspci !== 'string') return t.skip(lspci.skip);
  const root = await buildHost(HOSTS.sriovServer);
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const r = await run(lspci, ['-D', '-nn', '-vv', '-s', '0000:18:00.0', '-A', 'linux-sysfs', '-O', `sysfs.path=${root}/sys/bus/pci`, '-O', 'hwdb.disable=1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /VF offset: 16, stride: 1, Device ID: 154c/);
  const paste = `$ sudo lspci -D -nn -vv -s 18:00.0\n${r.stdout}\n$ dmesg | grep 18:02.1\n[  310.201998] vfio-pci 0000:18:02.1: enabling device (0000 -> 0002)\n`;
  const { snapshot } = await readPaste([{ name: 'paste.txt', bytes: Buffer.from(paste) }]);
  const pf = snapshot.pci.find((d) => d.address === '0000:18:00.0')!;
  const vf = snapshot.pci.find((d) => d.address === '0000:18:02.1')!;
  assert.equal(pf.config?.sriov?.vfDeviceId, '154c');
  assert.deepEqual(pf.virtfns, ['0000:18:02.1']);
  assert.equal(vf.physfn, '0000:18:00.0');
  assert.equal(`${vf.vendorId}:${vf.deviceId}`, '8086:154c');
  assert.equal(vf.classCode, '020000');
});
