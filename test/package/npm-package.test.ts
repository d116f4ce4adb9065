// The npm tarball is what a user installs: it is packed from the build npm test has just made,
// installed into a private prefix the way `npm install -g` does, and run there on a fixture host.
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
import { parseValidated } from '../helpers/json-output.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

test('prepack builds, so a tarball never ships without its dist', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  assert.equal(pkg.scripts.prepack, 'npm run build');
  assert.equal(pkg.license, 'MIT');
  assert.match(fs.readFileSync(path.join(repoRoot, 'LICENSE'), 'utf8'), /^MIT License\n/);
});

test('the packed tarball installs into a prefix and runs there: version, man page, a check of a fixture host', async (t) => {
  if (!fs.existsSync(path.join(repoRoot, 'dist/vfio-doctor.mjs'))) return t.skip('no dist/vfio-doctor.mjs: run npm run build first');
  const work = tempDir('npm-pack', t);
  // The build is already there; packing without scripts keeps this test from rebuilding under the others.
  const pack = spawnSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  assert.equal(pack.status, 0, pack.stderr);
  const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  const files = info!.files.map((f) => f.path);
  for (const f of ['LICENSE', 'README.md', 'package.json', 'dist/vfio-doctor.mjs', 'dist/vfio-doctor.cjs', 'dist/vfio-doctor.code-cache', 'dist/vfio-doctor.1', 'dist/completions/vfio-doctor.bash', 'dist/completions/_vfio-doctor', 'dist/completions/vfio-doctor.fish', ...fs.readdirSync(path.join(repoRoot, 'schema')).map((f) => `schema/${f}`)]) {
    assert.ok(files.includes(f), `${f} not in the tarball`);
  }
  assert.ok(!files.some((f) => /^(src|test|build|bench|scripts)\//.test(f)), `sources in the tarball: ${files.join(' ')}`);

  const prefix = path.join(work, 'prefix');
  const install = spawnSync(npm, ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', path.join(work, info!.filename)], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.equal(install.status, 0, install.stderr);
  const bin = path.join(prefix, 'bin', 'vfio-doctor');
  assert.ok(fs.existsSync(path.join(prefix, 'share/man/man1/vfio-doctor.1')), 'man page not linked into the prefix');
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  assert.equal(version.stdout, `${VERSION}\n`);

  const root = await buildHost(intelDesktop, path.join(work, 'host'));
  const check = spawnSync(bin, ['check', '--root', root, '--json'], { encoding: 'utf8', timeout: 120_000 });
  assert.ok(check.status === 0 || check.status === 1, check.stderr);
  const report = parseValidated('report', check.stdout);
  assert.ok(['healthy', 'warning', 'broken', 'undetermined'].includes(report.verdict.status));
});
