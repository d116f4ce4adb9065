import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { buildHost } from '../fixtures/host-builder.js';
import { HOSTS } from '../fixtures/hosts.js';
import { fn, variant } from '../helpers/scenario.js';
import { runCli } from '../helpers/run-cli.js';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/command.js';
import { terminalSafe } from '../../src/render/terminal-safe.js';
import { makeStyle } from '../../src/render/style.js';
import { parseValidated } from '../helpers/json-output.js';

// Issue 13 point 14: names under --root (and in archives and pastes) must not reach the terminal raw.

const CLEAR = '\x1b[2J\x1b[H';
const TITLE = '\x1b]0;PWNED\x07';
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

test('terminalSafe spells out every control character and keeps only the colour the program asked for', () => {
  assert.equal(terminalSafe(`a${CLEAR}b\r\n\tc\u202ed`), 'a\\u001b[2J\\u001b[Hb\\u000d\n\tc\\u202ed');
  const st = makeStyle(true);
  assert.equal(terminalSafe(st.red(`x${TITLE}`)), `\x1b[31mx\\u001b]0;PWNED\\u0007\x1b[39m`);
  // A name that carries the private-use marks itself gets no colour and no escape out of them.
  assert.equal(terminalSafe('\ue0008\ue001hidden'), '\\ue0008\\ue001hidden');
  assert.equal(JSON.parse(terminalSafe(JSON.stringify({ s: `x\u009b\u2028${CLEAR}` }))).s, `x\u009b\u2028${CLEAR}`, 'JSON output stays valid and means the same');
});

test('check --root: a hostname and a driver name with escape sequences are printed escaped, in text, colour and JSON', async (t) => {
  const host = variant(HOSTS.intelDesktop, (h) => {
    h.hostname = `ws${CLEAR}${TITLE}`;
    fn(h, '01.0/00.0').driver = `nouv${TITLE}eau`;
  });
  const root = await buildHost(host);
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const args = ['check', '--root', root, '--device', '0000:01:00.0'];
  const text = await runCli(args);
  assert.equal(text.code, 1, text.stderr);
  assert.ok(text.stdout.includes('\\u001b]0;PWNED\\u0007'), 'the name is shown, escaped');
  assert.doesNotMatch(text.stdout, RAW);
  let coloured = '';
  const tty: Io = { stdout: (s) => void (coloured += s), stderr: () => {}, readStdin: async () => Buffer.alloc(0), env: { TERM: 'xterm' }, isTty: true, cwd: process.cwd() };
  assert.equal(await main(args, tty), 1);
  assert.match(coloured, /\x1b\[31m/, 'colour is still on for a terminal');
  for (const m of coloured.matchAll(/\x1b(.{0,4})/gs)) assert.match(m[1]!, /^\[(1|22|31|39|33|32|2|36)m/, 'only the program\'s own colour codes');
  const json = await runCli([...args, '--json']);
  assert.doesNotMatch(json.stdout, RAW);
  assert.ok(JSON.stringify(parseValidated('report', json.stdout)).includes('PWNED'));
});
