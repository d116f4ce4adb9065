// One subcommand of the CLI. Each lives in src/commands/<name>.ts and is registered in src/cli/registry.ts.
import type { Example, OptionSpec, PositionalSpec } from './options.js';
import type { TerminalSink } from '../progress/terminal.js';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Read all of standard input (for "-" arguments), refusing more than maxBytes (default: MAX_INPUT_BYTES). */
  readStdin: (maxBytes?: number) => Promise<Buffer>;
  env: Record<string, string | undefined>;
  /** Whether stdout is a terminal (colour decisions). */
  isTty: boolean;
  /** The terminal's width in columns when stdout is a terminal (text is fitted to it). */
  columns?: number;
  /** stderr when it is a terminal, for the progress line (absent otherwise: no progress then). */
  stderrTerminal?: TerminalSink;
  cwd: string;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Every option the command takes: parsed, and turned into --help, the man page and completions. */
  options: readonly OptionSpec[];
  positionals?: readonly PositionalSpec[];
  /** Two to four typical invocations for --help and the man page. */
  examples: readonly Example[];
  /** Returns the process exit code. Throw UsageError / InputError for the one-line error paths. */
  run: (argv: string[], io: Io) => Promise<number>;
}

/** Bad command-line usage: exit 2 with the message and the usage line. */
export class UsageError extends Error {}

/** Unreadable or invalid input (a corrupt snapshot, a missing file): exit 2 with one line naming what and where. */
export class InputError extends Error {}
