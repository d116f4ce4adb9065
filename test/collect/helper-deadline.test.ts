import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCommand, streamCommand } from '../../src/collect/run-command.js';
import { collectSnapshot } from '../../src/collect/collect.js';
import { repoRoot } from '../helpers/paths.js';

// Helpers whose background children keep stdout open: the command must come back within its deadline
// and leave nothing of its process group running.

function tmp(t: { after: (fn: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-helper-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Alive and not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/**
 * Whether pid is gone once the kernel has finished it: SIGKILL is delivered at once, but the dying
 * process and its reaping by its new parent take a moment.
 */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 250 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  return !alive(pid);
}

function script(dir: string, name: string, body: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return p;
}

function pidsIn(file: string): number[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number) : [];
}

function killAll(pids: number[]): void {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

test('a command that exits while its background child holds stdout returns at once; the child is killed', async (t) => {
  const dir = tmp(t);
  const pids = path.join(dir, 'pids');
  t.after(() => killAll(pidsIn(pids)));
  const cmd = script(dir, 'virsh', `sleep 600 &\necho $! >> '${pids}'\necho vm1`);
  const started = Date.now();
  const r = await runCommand([cmd], { timeoutMs: 120_000 });
  assert.equal(r.record.status, 'read', r.record.message);
  assert.equal(r.stdout, 'vm1\n');
  // Far below both the deadline and the child's 600 s.
  assert.ok(Date.now() - started < 60_000);
  const [grandchild] = pidsIn(pids);
  assert.ok(grandchild);
  assert.equal(await gone(grandchild!), true, 'the background sleep is gone');
});

test('a command that hangs with a background child: the deadline kills the whole group', async (t) => {
  const dir = tmp(t);
  const pids = path.join(dir, 'pids');
  t.after(() => killAll(pidsIn(pids)));
  const cmd = script(dir, 'dmesg', `sleep 600 &\necho $! >> '${pids}'\necho $$ >> '${pids}'\necho partial\nexec sleep 600`);
  const r = await runCommand([cmd], { timeoutMs: 500 });
  assert.equal(r.timedOut, true);
  assert.match(r.record.message ?? '', /timed out after 500 ms/);
  const all = pidsIn(pids);
  assert.equal(all.length, 2);
  for (const p of all) assert.equal(await gone(p), true, `pid ${p} was left running`);
});

test('a stray that left the group (setsid) cannot hold a streamed command past its deadline', async (t) => {
  const dir = tmp(t);
  const pids = path.join(dir, 'pids');
  t.after(() => killAll(pidsIn(pids)));
  const cmd = script(dir, 'journalctl', `setsid sh -c 'echo $$ >> "${pids}"; exec sleep 600' &\necho '[    1.000000] DMAR: IOMMU enabled'\nwait`);
  const s = streamCommand([cmd], { timeoutMs: 800 });
  assert.equal(s.kind, 'stream');
  if (s.kind !== 'stream') return;
  let text = '';
  for await (const chunk of s.stdout) text += String(chunk);
  const done = await s.done;
  assert.equal(done.timedOut, true);
  assert.match(text, /DMAR: IOMMU enabled/);
});

test('check on a host whose virsh, dmesg and journalctl leave children holding stdout: returns, kills them', async (t) => {
  const dir = tmp(t);
  const pids = path.join(dir, 'pids');
  t.after(() => killAll(pidsIn(pids)));
  for (const name of ['virsh', 'dmesg', 'journalctl']) script(dir, name, `sleep 600 &\necho $! >> '${pids}'\nexit 0`);
  const savedPath = process.env['PATH'];
  process.env['PATH'] = `${dir}:${savedPath ?? '/usr/bin:/bin'}`;
  t.after(() => {
    process.env['PATH'] = savedPath;
  });
  const started = Date.now();
  const snap = await collectSnapshot({ commandTimeoutMs: 60_000 });
  assert.ok(Date.now() - started < 60_000, 'no command waited for its stray child');
  assert.equal(snap.sources['virsh-list']?.status, 'read');
  const all = pidsIn(pids);
  assert.ok(all.length >= 3, `every fake ran (${all.length})`);
  for (const p of all) assert.equal(await gone(p), true, `pid ${p} was left running`);
});

test('Ctrl-C during a hung helper: vfio-doctor ends and takes the helper group with it', async (t) => {
  const dir = tmp(t);
  const pids = path.join(dir, 'pids');
  t.after(() => killAll(pidsIn(pids)));
  script(dir, 'virsh', `sleep 600 &\necho $! >> '${pids}'\necho $$ >> '${pids}'\nexec sleep 600`);
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist', 'vfio-doctor.mjs'), 'check'], {
    env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? '/usr/bin:/bin'}` },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, sig) => resolve(sig ?? code)));
  // Wait until the fake virsh has started both of its processes.
  while (pidsIn(pids).length < 2) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGINT');
  assert.equal(await exited, 'SIGINT');
  for (const p of pidsIn(pids)) {
    assert.equal(await gone(p), true, `pid ${p} outlived vfio-doctor`);
  }
});
