import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { run } from '../helpers/tools.js';
import { parseValidated } from '../helpers/json-output.js';

// docs/root-layout.md tells people how to copy a host by hand. The recipe is run here, on this
// machine, and the copy must give the same verdict as the live host.

const cli = path.join(repoRoot, 'dist', 'vfio-doctor.mjs');

function recipe(): string {
  const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'root-layout.md'), 'utf8');
  const blocks = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const copy = blocks.find((b) => b.includes('tar -C "$D" -czf host-copy.tar.gz'));
  assert.ok(copy, 'the copy recipe is in docs/root-layout.md');
  return copy!;
}

test('the hand-copy recipe of docs/root-layout.md gives the live verdict', { skip: process.geteuid?.() !== 0 ? 'the recipe runs as root' : false }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-recipe-'));
  t.after(() => fs.rmSync(work, { recursive: true, force: true }));
  const script = recipe().replace('D=/tmp/host-copy', `D=${work}/host-copy`).replace('tar -C "$D" -czf host-copy.tar.gz .', `tar -C "$D" -czf ${work}/host-copy.tar.gz .`);
  fs.writeFileSync(path.join(work, 'recipe.sh'), script);
  const r = await run('bash', [path.join(work, 'recipe.sh')], { timeoutMs: 120_000 });
  assert.ok(fs.existsSync(path.join(work, 'host-copy.tar.gz')), `the recipe wrote its archive\n${r.stderr}`);
  fs.mkdirSync(path.join(work, 'copy'));
  assert.equal((await run('tar', ['-xzf', path.join(work, 'host-copy.tar.gz'), '-C', path.join(work, 'copy')])).code, 0);
  const [live, copied] = await Promise.all([run(process.execPath, [cli, 'check', '--json']), run(process.execPath, [cli, 'check', '--json', '--root', path.join(work, 'copy')])]);
  const a = parseValidated('report', live.stdout).verdict;
  const b = parseValidated('report', copied.stdout).verdict;
  assert.deepEqual([b.status, b.layer, b.cause], [a.status, a.layer, a.cause]);
  const snap = parseValidated('snapshot', (await run(process.execPath, [cli, 'snapshot', '--root', path.join(work, 'copy')])).stdout);
  const liveSnap = parseValidated('snapshot', (await run(process.execPath, [cli, 'snapshot'])).stdout);
  assert.deepEqual(
    snap.pci.map((d: { address: string; vendorId: string; deviceId: string; driver: string | null }) => [d.address, d.vendorId, d.deviceId, d.driver]),
    liveSnap.pci.map((d: { address: string; vendorId: string; deviceId: string; driver: string | null }) => [d.address, d.vendorId, d.deviceId, d.driver]),
  );
});
