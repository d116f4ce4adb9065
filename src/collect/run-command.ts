import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { SourceRecord } from '../snapshot/types.js';

// External commands run with an argument array, no shell, a timeout and capped output. A command
// that is not installed is an 'absent' source, not a crash.

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

function start(argv: string[], env?: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error('empty command');
  return spawn(cmd, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    shell: false,
    // A predictable language keeps outputs parseable (dates, messages).
    env: { ...(env ?? process.env), LC_ALL: 'C', LANG: 'C' },
  });
}

export function runCommand(argv: string[], opts: RunOptions = {}): Promise<CommandResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? 8 << 20;
  return new Promise((resolve) => {
    let child: ChildProcessWithoutNullStreams;
    try {
      child = start(argv, opts.env);
    } catch (err) {
      resolve({ record: { status: 'error', command: argv, message: String(err) }, exitCode: null, stdout: '', stderr: '', timedOut: false });
      return;
    }
    child.stdin.end();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    let settled = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      if (outBytes < maxBytes) out.push(d);
      outBytes += d.length;
    });
    child.stderr.on('data', (d: Buffer) => {
      if (errBytes < 65536) err.push(d);
      errBytes += d.length;
    });
    const finish = (result: CommandResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      const missing = e.code === 'ENOENT';
      finish({
        record: { status: missing ? 'absent' : 'error', command: argv, message: missing ? `command not found: ${argv[0]}` : e.message },
        exitCode: null,
        stdout: '',
        stderr: '',
        timedOut: false,
      });
    });
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).subarray(0, maxBytes).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      let record: SourceRecord;
      if (timedOut) record = { status: 'error', command: argv, message: `timed out after ${timeoutMs} ms` };
      else if (code !== 0) record = { status: deniedText(stderr) ? 'denied' : 'error', command: argv, message: firstLine(stderr) || `exit code ${code}` };
      else record = { status: 'read', command: argv };
      finish({ record, exitCode: code, stdout, stderr, timedOut });
    });
  });
}

/** A command whose stdout is consumed as a stream (large logs). */
export interface StreamedCommand {
  kind: 'stream';
  stdout: Readable;
  /** Resolves once the process has ended, with its record. */
  done: Promise<CommandResult>;
}

export function streamCommand(argv: string[], opts: RunOptions = {}): StreamedCommand | (CommandResult & { kind: 'failed' }) {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let child: ChildProcessWithoutNullStreams;
  try {
    child = start(argv, opts.env);
  } catch (err) {
    return { kind: 'failed', record: { status: 'error', command: argv, message: String(err) }, exitCode: null, stdout: '', stderr: '', timedOut: false };
  }
  child.stdin.end();
  const err: Buffer[] = [];
  child.stderr.on('data', (d: Buffer) => err.push(d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const done = new Promise<CommandResult>((resolve) => {
    let spawnError: NodeJS.ErrnoException | null = null;
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      let record: SourceRecord;
      const se = spawnError as NodeJS.ErrnoException | null;
      if (se) record = { status: se.code === 'ENOENT' ? 'absent' : 'error', command: argv, message: se.code === 'ENOENT' ? `command not found: ${argv[0]}` : se.message };
      else if (timedOut) record = { status: 'error', command: argv, message: `timed out after ${timeoutMs} ms` };
      else if (code !== 0) record = { status: deniedText(stderr) ? 'denied' : 'error', command: argv, message: firstLine(stderr) || `exit code ${code}` };
      else record = { status: 'read', command: argv };
      resolve({ record, exitCode: code, stdout: '', stderr, timedOut });
    });
  });
  return { kind: 'stream', stdout: child.stdout, done };
}

function deniedText(stderr: string): boolean {
  return /operation not permitted|permission denied|not seeing messages from other users/i.test(stderr);
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
}
