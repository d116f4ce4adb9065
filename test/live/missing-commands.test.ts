import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectSnapshot } from '../../src/collect/collect.js';

// A host without dmesg, journalctl or virsh (a minimal container, a rescue system): each missing
// command is a recorded fact, and the collection still completes.
test('live collection with no external commands on PATH records them as not found', async (t) => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-nopath-'));
  const saved = process.env['PATH'];
  process.env['PATH'] = empty;
  t.after(() => {
    process.env['PATH'] = saved;
    fs.rmSync(empty, { recursive: true, force: true });
  });
  const s = await collectSnapshot({ commandTimeoutMs: 2000 });
  const log = s.sources['kernel-log'];
  if (s.kernelLog === null) {
    assert.match(log?.message ?? '', /command not found: dmesg/);
    assert.match(log?.message ?? '', /command not found: journalctl/);
  } else {
    assert.notEqual(s.kernelLog.origin, 'dmesg', 'dmesg cannot have run');
  }
  assert.ok(s.pci.length >= 0 && s.host.kernelRelease !== null, 'the rest of the host was read');
});
