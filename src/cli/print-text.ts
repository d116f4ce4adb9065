// Text output reaches the user through here: fitted to the width of the terminal (or COLUMNS, or 80).
import type { Io } from './command.js';
import { fitText, fitTextChunks, outputWidth } from '../render/wrap.js';

/** The width text output is fitted to on this Io. */
export function textWidth(io: Io): number {
  return outputWidth(io.isTty, io.columns, io.env);
}

/** Prints a text renderer's output fitted to the output width (and without its layout marks). */
export function printText(io: Io, text: string): void {
  for (const chunk of fitTextChunks(text, textWidth(io))) io.stdout(chunk);
}

/** Prints a status line on stderr fitted to stderr's width (a terminal's, or COLUMNS, or 80). */
export function printNote(io: Io, text: string): void {
  io.stderr(fitText(text, outputWidth(io.stderrTerminal !== undefined, io.stderrTerminal?.columns, io.env)));
}
