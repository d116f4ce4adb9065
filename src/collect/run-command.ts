import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { SourceRecord } from '../snapshot/types.js';

// External commands run with an argument array, no shell, a timeout and capped output. A command
// that is not installed is an 'absent' source, not a crash.
//
// Each command runs in a process group of its own. A helper may leave a background child holding its
// stdout open (a virsh or journalctl wrapper, a pager): waiting for the pipes to close would then wait for
// that child, however long it lives. So the deadline kills the whole group and stops waiting for the
// pipes, and a command that has exited has what it left behind in its group killed too.

export interface CommandResult {
  record: SourceRecord;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  timeoutMs?: number;
  maxBytes?: number;
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_TIMEOUT_MS = 10_000;

type Child = ChildProcessByStdio<Writable | null, Readable, Readable>;

// Groups started and not yet known to be empty. Being in their own groups, they do not get the
// terminal's Ctrl-C: vfio-doctor passes it on, so that no helper outlives it.
const liveGroups = new Set<number>();
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* the group is already gone */
  }
}

function onFatalSignal(signal: NodeJS.Signals): void {
  for (const pid of liveGroups) killGroup(pid);
  liveGroups.clear();
  unwatchSignals();
  // Nobody else handles it: end the way the signal would have ended us.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function watchSignals(): void {
  for (const s of FORWARDED) if (!process.listeners(s).includes(onFatalSignal)) process.on(s, onFatalSignal);
}

function unwatchSignals(): void {
  for (const s of FORWARDED) process.off(s, onFatalSignal);
}

function track(pid: number | undefined): void {
  if (pid === undefined) return;
  liveGroups.add(pid);
  watchSignals();
}

function untrack(pid: number | undefined): void {
  if (pid === undefined) return;
  liveGroups.delete(pid);
  if (liveGroups.size === 0) unwatchSignals();
}

process.on('exit', () => {
  for (const pid of liveGroups) killGroup(pid);
});

function start(argv: string[], env?: NodeJS.ProcessEnv): Child {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error('empty command');
  return spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    shell: false,
    detached: true,
    // A predictable language keeps outputs parseable (dates, messages).
    env: { ...(env ?? process.env), LC_ALL: 'C', LANG: 'C' },
  });
}

function recordFor(argv: string[], code: number | null, stderr: string, timedOut: boolean, timeoutMs: number, spawnError: NodeJS.ErrnoException | null): SourceRecord {
  if (spawnError) {
    const missing = spawnError.code === 'ENOENT';
    return { status: missing ? 'absent' : 'error', command: argv, message: missing ? `command not found: ${argv[0]}` : spawnError.message };
  }
  if (timedOut) return { status: 'error', command: argv, message: `timed out after ${timeoutMs} ms` };
  if (code !== 0) return { status: deniedText(stderr) ? 'denied' : 'error', command: argv, message: firstLine(stderr) || `exit code ${code}` };
  return { status: 'read', command: argv };
}

/**
 * Supervises one started child: the deadline, the group, and when to stop waiting. `settle` runs once,
 * when the child has exited and its pipes are closed, or when the deadline has passed (pipes or not).
 */
function supervise(child: Child, timeoutMs: number, settle: (code: number | null, timedOut: boolean, spawnError: NodeJS.ErrnoException | null) => void, onDeadline: () => void): void {
  const pid = child.pid;
  track(pid);
  let done = false;
  let exitCode: number | null = null;
  let spawnError: NodeJS.ErrnoException | null = null;
  const finish = (timedOut: boolean) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    killGroup(pid);
    untrack(pid);
    settle(exitCode, timedOut, spawnError);
  };
  const timer = setTimeout(() => {
    onDeadline();
    child.stdout.destroy();
    child.stderr.destroy();
    finish(true);
  }, timeoutMs);
  child.on('error', (e: NodeJS.ErrnoException) => {
    spawnError = e;
    finish(false);
  });
  child.on('exit', (code) => {
    exitCode = code;
    // Whatever the command left running in its group is ours to end; that also closes the pipes it held.
    killGroup(pid);
  });
  child.on('close', (code) => {
    exitCode = code;
    finish(false);
  });
}

export function runCommand(argv: string[], opts: RunOptions = {}): Promise<CommandResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? 8 << 20;
  return new Promise((resolve) => {
    let child: Child;
    try {
      child = start(argv, opts.env);
    } catch (err) {
      resolve({ record: { status: 'error', command: argv, message: String(err) }, exitCode: null, stdout: '', stderr: '', timedOut: false });
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    child.stdout.on('data', (d: Buffer) => {
      if (outBytes < maxBytes) out.push(d);
      outBytes += d.length;
    });
    child.stderr.on('data', (d: Buffer) => {
      if (errBytes < 65536) err.push(d);
      errBytes += d.length;
    });
    supervise(
      child,
      timeoutMs,
      (code, timedOut, spawnError) => {
        const stdout = spawnError ? '' : Buffer.concat(out).subarray(0, maxBytes).toString('utf8');
        const stderr = spawnError ? '' : Buffer.concat(err).toString('utf8');
        resolve({ record: recordFor(argv, code, stderr, timedOut, timeoutMs, spawnError), exitCode: code, stdout, stderr, timedOut: timedOut && !spawnError });
      },
      () => undefined,
    );
  });
}

/** A command whose stdout is consumed as a stream (large logs). */
export interface StreamedCommand {
  kind: 'stream';
  /** Ends at the command's end of output, or at the deadline. */
  stdout: Readable;
  /** Resolves once the process has ended (or been given up on), with its record. */
  done: Promise<CommandResult>;
}

export function streamCommand(argv: string[], opts: RunOptions = {}): StreamedCommand | (CommandResult & { kind: 'failed' }) {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let child: Child;
  try {
    child = start(argv, opts.env);
  } catch (err) {
    return { kind: 'failed', record: { status: 'error', command: argv, message: String(err) }, exitCode: null, stdout: '', stderr: '', timedOut: false };
  }
  const err: Buffer[] = [];
  let errBytes = 0;
  child.stderr.on('data', (d: Buffer) => {
    if (errBytes < 65536) err.push(d);
    errBytes += d.length;
  });
  // The reader gets a stream that this module can end at the deadline, so a reader never waits for a
  // pipe that a stray process keeps open.
  const stdout = new PassThrough();
  child.stdout.pipe(stdout);
  const done = new Promise<CommandResult>((resolve) => {
    supervise(
      child,
      timeoutMs,
      (code, timedOut, spawnError) => {
        if (!stdout.writableEnded) stdout.end();
        const stderr = Buffer.concat(err).toString('utf8');
        resolve({ record: recordFor(argv, code, stderr, timedOut, timeoutMs, spawnError), exitCode: code, stdout: '', stderr, timedOut: timedOut && !spawnError });
      },
      () => {
        child.stdout.unpipe(stdout);
        stdout.end();
      },
    );
  });
  return { kind: 'stream', stdout, done };
}

function deniedText(stderr: string): boolean {
  return /operation not permitted|permission denied|not seeing messages from other users/i.test(stderr);
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
}
