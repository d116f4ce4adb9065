import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { buildHost } from '../fixtures/host-builder.js';
import { HOSTS } from '../fixtures/hosts.js';
import { repoRoot } from '../helpers/paths.js';

// Issue 13 point 12: a reader that stops early (head) must not turn a failing verdict into exit 0.

const CLI = path.join(repoRoot, 'dist', 'vfio-doctor.mjs');

function exitCode(args: string[], closeStdoutAtOnce: boolean): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Closing our end before Node has even started in the child makes its first write fail with EPIPE.
    if (closeStdoutAtOnce) child.stdout.destroy();
    else child.stdout.resume();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('check on a broken host exits 1 whether or not its reader stays to the end', async (t) => {
  const root = await buildHost(HOSTS.noIommuHost);
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const args = ['check', '--root', root, '--device', '0000:01:00.0'];
  const whole = await exitCode(args, false);
  assert.equal(whole.code, 1, whole.stderr);
  const closed = await exitCode(args, true);
  assert.equal(closed.code, 1, closed.stderr);
  assert.equal(closed.stderr, '', 'a closed pipe is not an error to report');
  const json = await exitCode([...args, '--json'], true);
  assert.equal(json.code, 1, json.stderr);
});

test('under pipefail, check | head -1 keeps the failing status', async (t) => {
  const bash = spawnSync('bash', ['-c', 'true']);
  if (bash.status !== 0) return t.skip('bash not installed');
  const root = await buildHost(HOSTS.noIommuHost);
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', '"$0" "$1" check --root "$2" --device 0000:01:00.0 | head -1', process.execPath, CLI, root], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout.split('\n').length, 2, 'one line through head');
});
