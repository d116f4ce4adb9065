// Text output reaches the user through here: fitted to the width of the terminal (or COLUMNS, or 80).
import type { Io } from './command.js';
import { fitTextChunks, outputWidth } from '../render/wrap.js';

/** The width text output is fitted to on this Io. */
export function textWidth(io: Io): number {
  return outputWidth(io.isTty, io.columns, io.env);
}

/** Prints a text renderer's output fitted to the output width (and without its layout marks). */
export function printText(io: Io, text: string): void {
  for (const chunk of fitTextChunks(text, textWidth(io))) io.stdout(chunk);
}
