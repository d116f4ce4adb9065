// The vocabulary of the paste reader: input lines with their origin, the chunks a paste is cut into,
// and the recogniser interface every format module implements.
import type { PasteFacts } from './facts.js';

/** One line of input as the user gave it, cleaned of CR, colour codes and quoting. */
export interface InputLine {
  /** The file it came from ("-" for standard input). */
  file: string;
  /** 1-based line number in that file. */
  n: number;
  text: string;
}

/**
 * A run of lines between two shell prompts, fences or file headers. The prompt, when there was one,
 * names the command that printed the lines: the strongest hint about what they are.
 */
export interface Chunk {
  file: string;
  /** The command after a prompt ("lspci -nnk", "cat /proc/cmdline"), without sudo. */
  command: string | null;
  /** The file a header ("==> x <==", "cat x") says the lines come from. */
  shows: string | null;
  lines: InputLine[];
}

export interface RecogniseContext {
  command: string | null;
  shows: string | null;
  /** Line number of the chunk's first line: with `shows`, line n of the paste is line n - firstLine + 1 of that file. */
  firstLine: number;
}

/** Where a section lies, for provenance ("paste.txt:12-40"). */
export interface Where {
  file: string;
  from: number;
  to: number;
  /** The command that printed it, when a prompt named one. */
  command: string | null;
}

export function whereText(w: Where): string {
  return w.from === w.to ? `${w.file}:${w.from}` : `${w.file}:${w.from}-${w.to}`;
}

export interface Claim {
  /** Lines taken, counted from the position asked about. */
  length: number;
  /** Records what the lines say. Called once, after the claim is accepted. */
  apply: (facts: PasteFacts, where: Where, lines: readonly InputLine[]) => void;
}

/** One output format. Each lives in src/paste/recognisers/<id>.ts. */
export interface Recogniser {
  id: string;
  /** What it reads, for the sections list and the docs. */
  label: string;
  /** Commands whose output this is: when a prompt names one, this recogniser is asked first. */
  commands: RegExp | null;
  /** The lines it claims from `at` onwards, or null when the line at `at` is not its format. */
  match: (lines: readonly InputLine[], at: number, ctx: RecogniseContext) => Claim | null;
}

export interface SectionFound {
  kind: string;
  label: string;
  file: string;
  from: number;
  to: number;
  command: string | null;
}

export interface NotUnderstood {
  file: string;
  line: number;
  text: string;
}
