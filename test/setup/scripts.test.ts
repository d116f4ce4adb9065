// The README's set-up scripts work from a root shell without sudo (a fresh Debian) and from a user shell
// with sudo: they escalate only when not root and sudo exists, and otherwise say what could not be run.
// Run against the real scripts with bash, a fake sudo and, for the user cases, a real unprivileged
// user (setpriv), so what is tested is what a person runs.
import test, { type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { findTool } from '../helpers/tools.js';
import { tempDir } from '../helpers/temp.js';

const bash = findTool('bash') ?? '/bin/bash';
const isRoot = process.getuid?.() === 0;
const setpriv = findTool('setpriv');
const NOBODY = 65534;

/** A directory for PATH holding only `id` and, when asked, a sudo that announces itself and runs its arguments. */
function fakeBin(t: TestContext, withSudo: boolean): string {
  const dir = tempDir('setup-bin', t);
  fs.chmodSync(dir, 0o755);
  fs.symlinkSync(findTool('id') ?? '/usr/bin/id', path.join(dir, 'id'));
  if (withSudo) fs.writeFileSync(path.join(dir, 'sudo'), '#!/bin/sh\necho "SUDO $*"\nexec "$@"\n', { mode: 0o755 });
  return dir;
}

function runCommon(script: string, bin: string, asNobody: boolean) {
  const argv = [bash, '--norc', '--noprofile', '-c', `. scripts/lib/common.sh; ${script}`];
  const [cmd, ...args] = asNobody ? [setpriv!, `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...argv] : argv;
  const r = spawnSync(cmd!, args, { cwd: repoRoot, env: { PATH: bin }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the Node.js the scripts build with is no older than the one package.json promises, which the bundle guards', () => {
  const common = fs.readFileSync(path.join(repoRoot, 'scripts/lib/common.sh'), 'utf8');
  const buildMajor = Number(/^MIN_NODE_MAJOR=(\d+)$/m.exec(common)?.[1]);
  const engines = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).engines.node as string;
  const m = /^>=(\d+)\.(\d+)$/.exec(engines);
  assert.ok(m, `engines.node is ${engines}`);
  const [major, minor] = [Number(m[1]), Number(m[2])];
  assert.ok(buildMajor >= major, `the scripts build with Node ${buildMajor}, older than the ${engines} the package promises`);
  const bundle = fs.readFileSync(path.join(repoRoot, 'scripts/bundle.mjs'), 'utf8');
  assert.ok(bundle.includes(`target: 'node${major}.${minor}'`), 'the bundle is compiled for the promised Node');
  assert.ok(bundle.includes(`major < ${major} || (major === ${major} && minor < ${minor})`), 'the bundle refuses an older Node with one line');
  assert.ok(bundle.includes(`needs Node.js >= ${major}.${minor}`));
});

test('the scripts are valid bash', () => {
  for (const f of ['setup.sh', 'test.sh', 'install-system-deps.sh', 'lib/common.sh']) {
    const r = spawnSync(bash, ['-n', path.join(repoRoot, 'scripts', f)], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${f}: ${r.stderr}`);
  }
});

test('as root, as_root runs the command itself, even with sudo on PATH', { skip: isRoot ? false : 'not root' }, (t) => {
  const r = runCommon('as_root id -u', fakeBin(t, true), false);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '0\n');
  assert.equal(r.stderr, '');
});

const userSkip = !isRoot ? 'needs root to become an unprivileged user' : !setpriv ? 'setpriv (util-linux) not installed' : false;

test('as a user with sudo, as_root says so and goes through sudo', { skip: userSkip }, (t) => {
  const r = runCommon('as_root id -u', fakeBin(t, true), true);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `SUDO id -u\n${NOBODY}\n`);
  assert.match(r.stderr, /not root: running with sudo: id -u/);
});

test('as a user without sudo, as_root runs nothing and says what it needed and how to go on', { skip: userSkip }, (t) => {
  const r = runCommon('as_root id -u && echo after', fakeBin(t, false), true);
  assert.notEqual(r.code, 0);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /needs root, and this is not a root shell and there is no sudo: id -u/);
  assert.match(r.stderr, /run this script again as root/);
});

test('a Node.js older than the minimum is refused with its version and where to get a newer one', (t) => {
  const bin = fakeBin(t, false);
  fs.writeFileSync(path.join(bin, 'node'), '#!/bin/sh\ncase "$1" in --version) echo v18.19.0;; -p) echo 18;; esac\n', { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'npm'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const r = runCommon('ensure_node && echo fine', bin, false);
  assert.notEqual(r.code, 0);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /Node\.js v18\.19\.0 is too old to build vfio-doctor: it needs >= \d+/);
});

test('the README opens with the set-up, the test and the check command, and CI runs the same test command', () => {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const commands = block.trim().split('\n').map((l) => l.replace(/\s+#.*$/, '').trim());
  assert.deepEqual(commands, ['scripts/setup.sh', 'scripts/test.sh', 'node dist/vfio-doctor.mjs check']);
  for (const script of commands.slice(0, 2)) {
    const mode = fs.statSync(path.join(repoRoot, script)).mode;
    assert.ok(mode & 0o100, `${script} is not executable`);
  }
  assert.match(fs.readFileSync(path.join(repoRoot, '.ci/run'), 'utf8'), /^scripts\/test\.sh$/m);
});
