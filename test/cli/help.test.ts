// Help that teaches: every command's --help describes every option of its table with its default and
// shows examples that the command itself accepts; mistyped commands and options get a suggestion; a
// --device or --vm that names nothing on the host is refused with the nearest names it does have.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { runCli } from '../helpers/run-cli.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { parseCommandLine } from '../../src/cli/options.js';
import { editDistance, nearest } from '../../src/cli/suggest.js';
import { VERSION } from '../../src/version.js';
import { buildHost } from '../fixtures/host-builder.js';
import { intelDesktop } from '../fixtures/hosts.js';

test('every command: --help names each option with its description and default, and 2 to 4 examples', async () => {
  for (const cmd of COMMANDS) {
    const r = await runCli([cmd.name, '--help']);
    assert.equal(r.code, 0, cmd.name);
    assert.equal(r.stderr, '');
    const text = r.stdout.replace(/\s+/g, ' ');
    for (const o of cmd.options) {
      assert.ok(text.includes(`--${o.name}`), `${cmd.name}: --${o.name} missing from help`);
      const words = o.description.split(/\s+/).slice(0, 6).join(' ');
      assert.ok(text.includes(words), `${cmd.name} --${o.name}: description "${words}" missing from help`);
      if (o.default !== undefined) assert.ok(text.includes(`Default: ${o.default}.`), `${cmd.name} --${o.name}: default missing`);
    }
    assert.ok(cmd.examples.length >= 2 && cmd.examples.length <= 4, `${cmd.name}: ${cmd.examples.length} examples`);
    for (const e of cmd.examples) assert.ok(r.stdout.includes(`  ${e.command}\n`), `${cmd.name}: example ${e.command}`);
    for (const line of r.stdout.split('\n')) assert.ok(line.length <= 80, `${cmd.name}: help line of ${line.length} columns: ${line}`);
  }
});

test('every example in the help is accepted by its command\'s own option table', () => {
  for (const cmd of COMMANDS) {
    for (const e of cmd.examples) {
      // The vfio-doctor part of a pipeline; globs and quotes are not used in the examples.
      const words = e.command.split('|').map((p) => p.trim().split(/\s+/)).find((w) => w[0] === 'vfio-doctor');
      assert.ok(words, `${cmd.name}: example without vfio-doctor: ${e.command}`);
      assert.equal(words[1], cmd.name, e.command);
      assert.doesNotThrow(() => parseCommandLine(words.slice(2), cmd.options, { positionals: cmd.positionals !== undefined }), e.command);
    }
  }
});

test('"help CMD" is "CMD --help"; "help" alone is the command list', async () => {
  for (const cmd of COMMANDS) assert.equal((await runCli(['help', cmd.name])).stdout, (await runCli([cmd.name, '--help'])).stdout);
  const h = await runCli(['help']);
  assert.equal(h.code, 0);
  for (const cmd of COMMANDS) assert.match(h.stdout, new RegExp(`^  ${cmd.name}\\s`, 'm'));
  assert.match(h.stdout, /vfio-doctor help <command>/);
});

test('--help after "--" is an argument, not a request for help', async () => {
  const r = await runCli(['decode', '--', '--help']);
  assert.notEqual(r.stdout, (await runCli(['decode', '--help'])).stdout);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--help/);
});

test('--version and -V print the version alone', async () => {
  for (const flag of ['--version', '-V']) {
    const r = await runCli([flag]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${VERSION}\n`);
  }
});

test('a mistyped command or option gets the nearest names; exit 2, no stack', async () => {
  const cases: [string[], RegExp][] = [
    [['chekc'], /unknown command "chekc" \(did you mean "check"\?\)/],
    [['prefligth'], /did you mean "preflight"\?/],
    [['help', 'snapshto'], /did you mean "snapshot"\?/],
    [['check', '--devcie', '01:00.0'], /unknown option '--devcie' \(did you mean --device\?\)/],
    [['diff', '--basline', 'x'], /unknown option '--basline' \(did you mean --baseline\?\)/],
    [['snapshot', '--lable', 'x', '--save'], /did you mean --label\?/],
    [['check', '--root'], /--root needs a value \(DIR\)/],
    [['check', '--json=yes'], /--json takes no value/],
    [['check', 'extra'], /unexpected argument 'extra'/],
  ];
  for (const [args, re] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, re, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  const far = await runCli(['xyzzy']);
  assert.doesNotMatch(far.stderr, /did you mean/, 'no suggestion when nothing is close');
  assert.match(far.stderr, /The commands: check, analyze/);
});

test('nearest: slips and prefixes are close, unrelated words are not', () => {
  assert.equal(editDistance('chekc', 'check'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.deepEqual(nearest('pre', ['preflight', 'snapshot']), ['preflight']);
  assert.deepEqual(nearest('devcie', ['device', 'dir', 'ids']), ['device']);
  assert.deepEqual(nearest('zzzz', ['device', 'dir', 'ids']), []);
});

test('--device naming no PCI function of the host: exit 2, one line, the nearest addresses', async (t) => {
  const root = await buildHost(intelDesktop);
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  for (const cmd of ['check', 'preflight']) {
    const r = await runCli([cmd, '--root', root, '--device', '01:00.2']);
    assert.equal(r.code, 2, `${cmd}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`--device 01:00\\.2: no PCI function 0000:01:00\\.2 under ${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; the nearest: 0000:01:00\\.[01], 0000:01:00\\.[01]`));
  }
  // A function the host has is accepted.
  assert.notEqual((await runCli(['check', '--root', root, '--device', '01:00.0'])).code, 2);
});

test('--color always colours even off a terminal and over NO_COLOR; never and auto off a terminal do not', async (t) => {
  const root = await buildHost(intelDesktop);
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const sgr = /\x1b\[[0-9;]*m/;
  const always = await runCli(['check', '--root', root, '--color=always'], { env: { NO_COLOR: '1' } });
  assert.match(always.stdout, sgr);
  for (const args of [['--color', 'never'], ['--color=auto'], []]) {
    const r = await runCli(['check', '--root', root, ...args]);
    assert.doesNotMatch(r.stdout, sgr, args.join(' '));
    assert.equal(r.stdout, always.stdout.replace(/\x1b\[[0-9;]*m/g, ''), 'the same text, without colour');
  }
  const bad = await runCli(['diff', 'a.json', 'b.json', '--color', 'sometimes']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--color sometimes: expected auto, always or never/);
});
