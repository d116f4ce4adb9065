// The progress line, on a fake terminal with a hand-stepped clock: nothing for quick work, a line
// redrawn in place after a second, erased before the result; never with --json or --quiet.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { PROGRESS_DELAY_MS, TerminalProgress, withProgress, type TerminalSink } from '../../src/progress/terminal.js';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/command.js';
import { buildHost } from '../fixtures/host-builder.js';
import { HOSTS } from '../fixtures/hosts.js';
import { removeTempDir, tempDir } from '../helpers/temp.js';
import { visibleWidth } from '../../src/render/wrap.js';

const ERASE = '\r\x1b[K';

function fakeTerminal(columns = 80): TerminalSink & { writes: string[]; at: number } {
  const t = {
    writes: [] as string[],
    at: 0,
    columns,
    write: (raw: string) => void t.writes.push(raw),
    now: () => t.at,
  };
  return t;
}

test('quick work draws nothing; after a second the line shows the stage, a spinner and the seconds', () => {
  const term = fakeTerminal();
  const p = new TerminalProgress(term, 'reading this host');
  term.at = PROGRESS_DELAY_MS - 1;
  p.tick();
  p.clear();
  assert.deepEqual(term.writes, [], 'nothing drawn, so nothing to erase');

  term.at = 2500;
  p.phase('unpacking /boot/initrd.img-6.12.9-amd64');
  assert.equal(term.writes.length, 1);
  assert.equal(term.writes[0], '\rvfio-doctor: unpacking /boot/initrd.img-6.12.9-amd64 - 2 s\x1b[K');
  p.tick();
  assert.equal(term.writes[1], '\rvfio-doctor: unpacking /boot/initrd.img-6.12.9-amd64 \\ 2 s\x1b[K', 'the spinner turns on each redraw');
  p.clear();
  assert.equal(term.writes.at(-1), ERASE);
  p.clear();
  assert.equal(term.writes.length, 3, 'erased once');
});

test('the line never wraps (it could not be redrawn in place) and shows a label\'s control characters escaped', () => {
  const term = fakeTerminal(40);
  const p = new TerminalProgress(term, `scanning ${'/var/log/'.repeat(10)}kern.log`);
  term.at = 5000;
  p.tick();
  const line = term.writes[0]!.replace('\r', '').replace('\x1b[K', '');
  assert.ok(visibleWidth(line) <= 39, line);
  assert.match(line, /…$/);
  // A terminal that reports no size (a bare pty says 0 columns) gets the line at 80 columns, not an empty one.
  const sizeless = fakeTerminal(0);
  const r = new TerminalProgress(sizeless, 'reading the host under /mnt/capture');
  sizeless.at = 5000;
  r.tick();
  assert.equal(sizeless.writes[0], '\rvfio-doctor: reading the host under /mnt/capture - 5 s\x1b[K');
  const evil = fakeTerminal();
  const q = new TerminalProgress(evil, 'reading \x1b]0;owned\x07 now');
  evil.at = 5000;
  q.tick();
  assert.equal(evil.writes[0], '\rvfio-doctor: reading \\u001b]0;owned\\u0007 now - 5 s\x1b[K');
});

test('withProgress erases the line when the work ends, and when it fails', async () => {
  const term = fakeTerminal();
  const value = await withProgress(term, 'work', async (p) => {
    term.at = 3000;
    p.phase('second stage');
    return 42;
  });
  assert.equal(value, 42);
  assert.match(term.writes[0]!, /second stage/);
  assert.equal(term.writes.at(-1), ERASE);

  const failing = fakeTerminal();
  await assert.rejects(
    withProgress(failing, 'work', async (p) => {
      failing.at = 3000;
      p.phase('breaking');
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal(failing.writes.at(-1), ERASE);
  // No terminal: the work runs, nothing is drawn anywhere.
  assert.equal(await withProgress(undefined, 'work', async (p) => (p.phase('x'), 7)), 7);
});

const tree = tempDir('progress');
after(() => removeTempDir(tree));
let built: Promise<string> | null = null;
const host = () => (built ??= buildHost(HOSTS.intelDesktop, tree).then(() => tree));

/** check on a fake terminal whose clock moves two seconds at every look: the line is due at once. */
async function checkOnTerminal(args: string[]): Promise<{ events: string[]; stdout: string; code: number }> {
  const events: string[] = [];
  let stdout = '';
  let at = 0;
  const io: Io = {
    stdout: (t) => {
      stdout += t;
      events.push('stdout');
    },
    stderr: (t) => void events.push(`stderr ${t}`),
    readStdin: async () => Buffer.alloc(0),
    env: {},
    isTty: false,
    cwd: process.cwd(),
    stderrTerminal: { write: (raw) => void events.push(raw), columns: 100, now: () => (at += 2000) },
  };
  const code = await main(['check', '--root', await host(), ...args], io);
  return { events, stdout, code };
}

test('check on a terminal: the progress line names the work and is erased before the report is printed', async () => {
  const { events, stdout, code } = await checkOnTerminal([]);
  assert.equal(code, 0, stdout);
  const drawn = events.filter((e) => e.startsWith('\rvfio-doctor: reading the host under '));
  assert.ok(drawn.length >= 1, events.join('\n'));
  const erase = events.lastIndexOf(ERASE);
  assert.ok(erase > events.indexOf(drawn[0]!));
  assert.ok(events.indexOf('stdout') > erase, 'the report comes after the line is erased');
  assert.match(stdout, /^vfio-doctor check — /);
  assert.doesNotMatch(stdout, /\r|\x1b\[K/);
});

test('no progress with --json or --quiet, even on a terminal', async () => {
  for (const flag of ['--json', '--quiet']) {
    const { events, code } = await checkOnTerminal([flag]);
    assert.equal(code, 0);
    assert.deepEqual(
      events.filter((e) => e !== 'stdout'),
      [],
      `${flag}: ${events.join(' ')}`,
    );
  }
});
