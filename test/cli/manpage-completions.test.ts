// The man page and the shell completions come from the option tables: every command and option is in
// them, the man page renders without a groff warning, bash really completes, zsh and fish parse them.
import test, { type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { COMMANDS } from '../../src/cli/registry.js';
import { manPage } from '../../src/cli/manpage.js';
import { bashCompletion, fishCompletion, zshCompletion } from '../../src/cli/completions.js';
import { findTool, requireTool } from '../helpers/tools.js';
import { tempDir } from '../helpers/temp.js';
import { repoRoot } from '../helpers/paths.js';

function written(t: TestContext, name: string, text: string): string {
  const file = path.join(tempDir('completion', t), name);
  fs.writeFileSync(file, text);
  return file;
}

test('the man page renders without warnings and holds every command, option and example', (t) => {
  const groff = requireTool('groff', 'groff-base');
  if (typeof groff !== 'string') return t.skip(groff.skip);
  const file = written(t, 'vfio-doctor.1', manPage(COMMANDS, { version: '9.9.9', date: 'January 2030' }));
  const warnings = spawnSync(groff, ['-man', '-ww', '-z', file], { encoding: 'utf8' });
  assert.equal(warnings.stderr, '');
  const text = spawnSync(groff, ['-man', '-Tutf8', '-P-cbou', file], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '200' } }).stdout.replace(/\u2010/g, '-').replace(/\s+/g, ' ');
  assert.match(text, /vfio-doctor 9\.9\.9/);
  for (const cmd of COMMANDS) {
    assert.ok(text.includes(`vfio-doctor ${cmd.name}`), cmd.name);
    for (const o of cmd.options) assert.ok(text.includes(`--${o.name}`), `${cmd.name} --${o.name}`);
    for (const e of cmd.examples) assert.ok(text.includes(e.command), e.command);
  }
});

/** What bash completes for the words typed so far (the last one being completed). */
function bashCompletes(script: string, words: string[]): string[] {
  const bash = findTool('bash') ?? '/bin/bash';
  const program = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vfio_doctor; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync(bash, ['--norc', '--noprofile', '-c', program, 'bash', script, ...words], { encoding: 'utf8', cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(r.stderr, '', r.stderr);
  return r.stdout.split('\n').filter(Boolean);
}

test('bash completes commands, options, option values and help topics', (t) => {
  const script = written(t, 'vfio-doctor.bash', bashCompletion(COMMANDS));
  assert.deepEqual(bashCompletes(script, ['vfio-doctor', 'pre']), ['preflight']);
  assert.deepEqual(bashCompletes(script, ['vfio-doctor', 'check', '--de']), ['--device']);
  assert.deepEqual(bashCompletes(script, ['vfio-doctor', 'snapshot', '-']).sort(), ['--dir', '--force', '--help', '--keep', '--label', '--output', '--quiet', '--redact', '--root', '--save', '-h', '-o'].sort());
  assert.deepEqual(bashCompletes(script, ['vfio-doctor', 'help', 'sn']), ['snapshot']);
  // --root takes a directory: only directories are offered (the repository has scripts/ and src/).
  const dirs = bashCompletes(script, ['vfio-doctor', 'check', '--root', 's']);
  assert.ok(dirs.includes('scripts') && dirs.includes('src'), dirs.join(' '));
  assert.ok(!dirs.some((d) => fs.statSync(path.join(repoRoot, d)).isFile()), dirs.join(' '));
  // --device takes an address: no file names.
  assert.deepEqual(bashCompletes(script, ['vfio-doctor', 'check', '--device', '']), []);
});

for (const [shell, pkg, args, make] of [
  ['zsh', 'zsh', ['-n'], zshCompletion],
  ['fish', 'fish', ['--no-execute'], fishCompletion],
] as const) {
  test(`${shell} parses its completion, which names every option`, (t) => {
    const bin = requireTool(shell, pkg);
    if (typeof bin !== 'string') return t.skip(bin.skip);
    const text = make(COMMANDS);
    const file = written(t, `completion.${shell}`, text);
    const r = spawnSync(bin, [...args, file], { encoding: 'utf8', env: { ...process.env, HOME: path.dirname(file), XDG_CONFIG_HOME: path.dirname(file), XDG_DATA_HOME: path.dirname(file) } });
    assert.equal(r.status, 0, r.stderr);
    for (const cmd of COMMANDS) for (const o of cmd.options) assert.ok(text.includes(shell === 'fish' ? `-l ${o.name}` : o.short !== undefined ? `,--${o.name}}` : `--${o.name}[`), `${cmd.name} --${o.name}`);
  });
}

test('fish really completes: subcommands and the options of one', (t) => {
  const fish = requireTool('fish', 'fish');
  if (typeof fish !== 'string') return t.skip(fish.skip);
  const file = written(t, 'vfio-doctor.fish', fishCompletion(COMMANDS));
  const home = path.dirname(file);
  const complete = (line: string) =>
    spawnSync(fish, ['--no-config', '-c', `source ${file}; complete -C ${JSON.stringify(line)}`], { encoding: 'utf8', env: { ...process.env, HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home } })
      .stdout.split('\n')
      .map((l) => l.split('\t')[0]);
  assert.ok(complete('vfio-doctor pre').includes('preflight'));
  assert.ok(complete('vfio-doctor diff --bas').includes('--baseline'));
});

test('the npm package ships the man page and the completions the build writes', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  assert.ok(pkg.files.includes('dist/vfio-doctor.1'));
  assert.ok(pkg.files.includes('dist/completions'));
  assert.match(pkg.scripts.build, /write-man-and-completions/);
});
