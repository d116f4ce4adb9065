import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectSnapshot } from '../../src/collect/collect.js';
import type { HypervisorInfo } from '../../src/hypervisor/types.js';

// A hung libvirtd makes virsh wait forever. The live collector must give up on it after the command
// timeout, say so in the sources, and still collect everything else.
test('hypervisor: a virsh that never answers is abandoned after the timeout and recorded', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-virsh-'));
  const marker = path.join(dir, 'calls');
  fs.writeFileSync(path.join(dir, 'virsh'), `#!/bin/sh\necho "$@" >> '${marker}'\nexec sleep 60\n`, { mode: 0o755 });
  const savedPath = process.env['PATH'];
  process.env['PATH'] = `${dir}:${savedPath ?? '/usr/bin:/bin'}`;
  t.after(() => {
    process.env['PATH'] = savedPath;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const started = Date.now();
  const snap = await collectSnapshot({ commandTimeoutMs: 400 });
  const elapsed = Date.now() - started;

  const list = snap.sources['virsh-list'];
  assert.equal(list?.status, 'error');
  assert.match(list!.message ?? '', /timed out after 400 ms/);
  assert.deepEqual(list!.command, ['virsh', '-c', 'qemu:///system', 'list', '--all', '--name']);
  // Nothing more was asked of the hung daemon.
  assert.deepEqual(fs.readFileSync(marker, 'utf8').trim().split('\n'), ['-c qemu:///system list --all --name']);
  assert.ok(!Object.keys(snap.sources).some((k) => k.startsWith('virsh-dumpxml') || k === 'virsh-nodedev-list'));
  // The rest of the collection was done.
  assert.ok(snap.sources['proc/cmdline'] || snap.host.cmdline !== null);
  assert.ok(snap.hypervisor !== undefined);
  assert.ok(Array.isArray((snap.hypervisor as HypervisorInfo).vms));
  assert.ok(elapsed < 20_000, `collection took ${elapsed} ms`);
});
