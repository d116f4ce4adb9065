// The text report on a terminal: the verdict and the fix on the first screen (24 rows of 80 columns),
// every line within the width except a token that must not be broken (a path, an address, a command
// the user copies), evidence hanging under its finding, and no layout mark left in what is printed.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { buildHost } from '../fixtures/host-builder.js';
import { miniStory1 } from '../helpers/scenario.js';
import { removeTempDir, tempDir } from '../helpers/temp.js';
import { runCli } from '../helpers/run-cli.js';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/command.js';
import { visibleWidth } from '../../src/render/wrap.js';
import { overlongLines, words } from '../helpers/text-width.js';
import { parseValidated } from '../helpers/json-output.js';

const ANSI = /\x1b\[\d+m/g;
const LAYOUT_MARKS = /[\ue000-\ue004]/;

/** Playbook mini-story 1, a typical failure: nouveau in the initramfs, vfio-pci not. */
const ministory = miniStory1();

// One tree for the whole file, removed after its last test.
const tree = tempDir('text-layout');
after(() => removeTempDir(tree));
let built: Promise<string> | null = null;
function ministoryRoot(): Promise<string> {
  built ??= buildHost(ministory, tree).then(() => tree);
  return built;
}

interface Decisive {
  verdict: { findingId: string; subject: string | null };
  findings: { id: string; subject: string | null; commands: string[] }[];
}

async function ttyRun(args: string[], columns: number, env: Record<string, string> = {}): Promise<string> {
  let stdout = '';
  const io: Io = { stdout: (t) => void (stdout += t), stderr: () => undefined, readStdin: async () => Buffer.alloc(0), env, isTty: true, columns, cwd: process.cwd() };
  await main(args, io);
  return stdout;
}

test('check at 80 columns: the verdict and every command of the deciding finding within the first 24 rows', async () => {
  const root = await ministoryRoot();
  const r = await runCli(['check', '--root', root]);
  assert.equal(r.code, 1, r.stderr);
  const json = parseValidated('report', (await runCli(['check', '--root', root, '--json'])).stdout) as Decisive;
  const decisive = json.findings.find((f) => f.id === json.verdict.findingId && f.subject === json.verdict.subject)!;
  assert.ok(decisive.commands.length > 0);

  const rows = r.stdout.split('\n');
  const verdictRow = rows.findIndex((l) => l.startsWith('VERDICT: modules layer is broken'));
  assert.ok(verdictRow >= 0 && verdictRow < 24, `verdict on row ${verdictRow + 1}`);
  let row = verdictRow;
  for (const c of decisive.commands) {
    const at = rows.findIndex((l, i) => i > row && l.trim() === (c.startsWith('#') ? c : `$ ${c}`));
    assert.ok(at > row && at < 24, `"${c}" on row ${at + 1}, not within the first 24`);
    row = at;
  }
  // The long detail comes after it.
  assert.ok(rows.indexOf('The chain') > row);
  assert.ok(rows.indexOf('Targets') > row);

  const allCommands = (parseValidated('report', (await runCli(['check', '--root', root, '--json'])).stdout) as Decisive).findings.flatMap((f) => f.commands);
  assert.deepEqual(overlongLines(r.stdout, 80, allCommands), []);
  assert.doesNotMatch(r.stdout, LAYOUT_MARKS);
});

test('check: continuation lines hang under the text they continue, evidence under its finding', async () => {
  const root = await ministoryRoot();
  const rows = (await runCli(['check', '--root', root], { env: { COLUMNS: '60' } })).stdout.split('\n');
  const evidence = rows.findIndex((l) => l.startsWith('       │ /boot/initrd.img-6.8.0-45-generic:'));
  assert.ok(evidence > 0, rows.join('\n'));
  // The evidence line is continued below the text after the bar, not at the left margin.
  assert.match(rows[evidence + 1]!, /^ {9}\S/);
  const title = rows.findIndex((l) => l.startsWith('  FAIL The initramfs lets nouveau claim'));
  assert.match(rows[title + 1]!, /^ {7}\S/);
  // Every line fits 60 columns but a whole command.
  const commands = rows.filter((l) => /^ +\$ /.test(l)).map((l) => l.trim().slice(2));
  assert.deepEqual(overlongLines(rows.join('\n'), 60, commands), []);
  assert.ok(rows.some((l) => visibleWidth(l) > 60 && l.includes('/etc/initramfs-tools/modules')), 'the long printf command is kept whole on one line');
});

test('on a terminal: its width, unless COLUMNS says otherwise; colour does not count as width', async () => {
  const root = await ministoryRoot();
  const wide = await ttyRun(['check', '--root', root], 120);
  assert.match(wide, /\x1b\[/);
  const at120 = wide.replace(ANSI, '').split('\n');
  assert.ok(at120.some((l) => l.length > 100), 'a 120-column terminal is used beyond 100 columns');
  assert.deepEqual(overlongLines(wide, 120), []);
  const narrow = await ttyRun(['check', '--root', root], 120, { COLUMNS: '70' });
  assert.deepEqual(overlongLines(narrow, 70), []);
  // The same words, whatever the width.
  assert.equal(words(narrow.replace(ANSI, '')), words(wide.replace(ANSI, '')));
});

test('--json, --markdown and diff --summary are never wrapped', async () => {
  const root = await ministoryRoot();
  const json = await runCli(['check', '--root', root, '--json'], { env: { COLUMNS: '40' } });
  parseValidated('report', json.stdout, 'check --json at 40 columns');
  assert.ok(json.stdout.split('\n').some((l) => l.length > 100));
  const md = await runCli(['check', '--root', root, '--markdown'], { env: { COLUMNS: '40' } });
  assert.ok(md.stdout.split('\n').some((l) => l.length > 100));
  assert.doesNotMatch(json.stdout + md.stdout, LAYOUT_MARKS);
});

test('snapshot: its status line on stderr is fitted too, to stderr\'s width', async () => {
  const root = await ministoryRoot();
  const out = `${root}/a-snapshot-file-with-a-rather-long-name-for-this-test.json`;
  const r = await runCli(['snapshot', '--root', root, '-o', out], { env: { COLUMNS: '50' } });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.ok(lines.length > 1, r.stderr);
  assert.match(lines[0]!, /^snapshot written to$/);
  assert.equal(lines[1]!.trim(), out, 'the path is whole on a line of its own');
  assert.deepEqual(overlongLines(r.stderr, 50), []);
  assert.equal(words(r.stderr).trim(), words(`snapshot written to ${out} ${lines.slice(2).join(' ')}`).trim());
});
