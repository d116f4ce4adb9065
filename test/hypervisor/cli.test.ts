import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { runCli } from '../helpers/run-cli.js';
import { buildHost } from '../fixtures/host-builder.js';
import { variant } from '../helpers/scenario.js';
import { HOSTS } from '../fixtures/hosts.js';
import { domainXml } from './fixtures.js';
import { parseValidated } from '../helpers/json-output.js';

const host = variant(HOSTS.intelDesktop, (h) => {
  h.files = {
    ...h.files,
    '/etc/libvirt/qemu/win10.xml': domainXml({ name: 'win10', hostdevs: [[1, 0, 0], [1, 0, 1]] }),
    '/etc/libvirt/qemu/nas.xml': domainXml({ name: 'nas', uuid: '0b6c1e7e-2f0a-4f43-9a55-1d2c3b4a5f60', hostdevs: [[0x17, 0, 0]] }),
  };
});

test('check --vm NAME: that VM\'s devices are the targets, with where they came from', async (t) => {
  const root = await buildHost(host);
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const r = await runCli(['check', '--root', root, '--vm', 'win10', '--json']);
  const { targets } = parseValidated('report', r.stdout);
  assert.deepEqual(targets.map((x) => x.address), ['0000:01:00.0', '0000:01:00.1']);
  assert.deepEqual(targets[0]!.reasons, ['hostdev of libvirt domain win10']);
});

test('check without --vm: every VM\'s devices are targets besides the inferred ones', async (t) => {
  const root = await buildHost(host);
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const r = await runCli(['check', '--root', root, '--json']);
  const { targets } = parseValidated('report', r.stdout);
  const gpu = targets.find((x) => x.address === '0000:01:00.0')!;
  assert.ok(gpu.reasons.includes('hostdev of libvirt domain win10'));
  assert.ok(gpu.reasons.some((x) => /vfio-pci ids/.test(x)));
});

test('check --vm with an unknown VM: exit 2, one line listing the nearest VMs found', async (t) => {
  const root = await buildHost(host);
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const r = await runCli(['check', '--root', root, '--vm', 'nosuch']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /--vm nosuch: no such VM under \S+; the nearest: nas, win10\n/);
});
