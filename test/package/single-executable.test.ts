// The single executable (npm run build:sea) is built here from the sources, the way the script builds
// dist/vfio-doctor, and run on a fixture host with no Node.js on PATH: the binary must need nothing else.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { buildHost } from '../fixtures/host-builder.js';
import { intelDesktop } from '../fixtures/hosts.js';
import { VERSION } from '../../src/version.js';

const supported = process.platform === 'linux' && process.arch === 'x64';

test('the single executable runs check, snapshot and help on a fixture host without Node on PATH', { skip: supported ? false : 'linux-x64 only' }, async (t) => {
  const work = tempDir('sea-test', t);
  const bin = path.join(work, 'vfio-doctor');
  const built = spawnSync(process.execPath, ['scripts/build-sea.mjs', bin], { cwd: repoRoot, encoding: 'utf8', timeout: 600_000 });
  assert.equal(built.status, 0, built.stderr);
  const env = { PATH: '/nonexistent', LANG: 'C' };
  const run = (args: string[]) => spawnSync(bin, args, { encoding: 'utf8', env, timeout: 120_000 });

  const version = run(['--version']);
  assert.equal(version.stdout, `${VERSION}\n`);
  assert.equal(version.stderr, '', 'no experimental warning or other noise');
  assert.match(run(['check', '--help']).stdout, /^Usage: vfio-doctor check /);

  const root = await buildHost(intelDesktop, path.join(work, 'host'));
  const check = run(['check', '--root', root, '--json']);
  assert.ok(check.status === 0 || check.status === 1, check.stderr);
  assert.ok(['healthy', 'warning', 'broken', 'undetermined'].includes(JSON.parse(check.stdout).verdict.status));
  const snap = run(['snapshot', '--root', root]);
  assert.equal(snap.status, 0, snap.stderr);
  assert.ok(JSON.parse(snap.stdout).pci.length > 0);

  // The boot unit it writes starts the binary itself: there is no separate script to hand to it.
  const target = path.join(work, 'target');
  fs.mkdirSync(target);
  const install = run(['install', '--boot-snapshots', '--root', target]);
  assert.equal(install.status, 0, install.stderr);
  const unit = fs.readFileSync(path.join(target, 'etc/systemd/system/vfio-doctor-boot-snapshot.service'), 'utf8');
  assert.match(unit, new RegExp(`^ExecStart=${bin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} snapshot --save`, 'm'));
});
