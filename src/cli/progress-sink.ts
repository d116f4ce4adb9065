// Whether a command shows progress: only on a terminal, and not when the output is for a program
// (--json) or the user asked for silence (--quiet).
import type { Io } from './command.js';
import type { TerminalSink } from '../progress/terminal.js';

export function progressSink(io: Io, values: { json?: boolean; quiet?: boolean }): TerminalSink | undefined {
  if (values.json || values.quiet) return undefined;
  return io.stderrTerminal;
}
