// The progress line on stderr: drawn only once the work has taken a second (fast runs print nothing
// extra), redrawn in place with a carriage return, and erased before the result is printed, so what
// remains on the screen, and in a pasted transcript, is the result alone.

import { showEscaped } from '../text/unprintable.js';
import { NO_PROGRESS, type Progress } from './reporter.js';
import { visibleWidth } from '../render/wrap.js';

/** stderr when it is a terminal: raw writes (control sequences included) and its width. */
export interface TerminalSink {
  write: (raw: string) => void;
  columns?: number;
  /** Milliseconds on a monotonic clock; tests inject one to step time by hand. */
  now?: () => number;
}

/** How long work runs before the line appears: shorter work would only flicker. */
export const PROGRESS_DELAY_MS = 1000;
const FRAMES = ['-', '\\', '|', '/'];
const ERASE_LINE = '\r\x1b[K';

export class TerminalProgress implements Progress {
  private label: string;
  private readonly started: number;
  private readonly now: () => number;
  private frame = 0;
  private shown = false;

  constructor(
    private readonly sink: TerminalSink,
    label: string,
  ) {
    this.label = label;
    this.now = sink.now ?? (() => performance.now());
    this.started = this.now();
  }

  phase(label: string): void {
    this.label = label;
    this.tick();
  }

  /** Redraws the line if the work has run long enough to deserve one (called by a timer and by phase()). */
  tick(): void {
    const elapsed = this.now() - this.started;
    if (elapsed < PROGRESS_DELAY_MS) return;
    const spinner = FRAMES[this.frame++ % FRAMES.length]!;
    // The label may name a file from the command line: escaped like everything else printed.
    // A terminal that reports no size (0 columns, as a bare pty does) is taken as 80 wide.
    const columns = this.sink.columns !== undefined && this.sink.columns >= 20 ? this.sink.columns : 80;
    const text = fitColumns(`vfio-doctor: ${showEscaped(this.label)} ${spinner} ${Math.floor(elapsed / 1000)} s`, columns - 1);
    this.sink.write(`\r${text}\x1b[K`);
    this.shown = true;
  }

  /** Erases the line, if one was drawn. */
  clear(): void {
    if (!this.shown) return;
    this.sink.write(ERASE_LINE);
    this.shown = false;
  }
}

/** The text cut to `columns` visible columns: a line that wrapped could not be redrawn in place. */
function fitColumns(text: string, columns: number): string {
  if (visibleWidth(text) <= columns) return text;
  let out = '';
  for (const c of text) {
    if (visibleWidth(out + c) > columns - 1) break;
    out += c;
  }
  return `${out}…`;
}

/** How often the line is redrawn while the work waits on a file, a child process or an archive. */
const TICK_MS = 250;

/**
 * Runs `work` with a progress line on `sink` (none when sink is undefined), erased when the work ends,
 * however it ends, so the result or the error message that follows starts on a clean line.
 */
export async function withProgress<T>(sink: TerminalSink | undefined, label: string, work: (p: Progress) => Promise<T>): Promise<T> {
  if (sink === undefined) return work(NO_PROGRESS);
  const progress = new TerminalProgress(sink, label);
  progress.tick();
  const timer = setInterval(() => progress.tick(), TICK_MS);
  timer.unref();
  try {
    return await work(progress);
  } finally {
    clearInterval(timer);
    progress.clear();
  }
}
