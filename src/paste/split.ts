// Cuts a paste into chunks at shell prompts, echoed commands, Markdown fences and file headers, and
// undoes the quoting forums add (a "> " before every line, a common indentation).
import type { Chunk, InputLine } from './types.js';
import { bareCommand, promptCommand } from './prompt.js';
import { startsQemuCommand } from './recognisers/qemu-command-line.js';

const FENCE = /^\s*(```|~~~)/;
// "==> /etc/modprobe.d/vfio.conf <==" from head/tail with several files.
const HEAD_HEADER = /^==> (.+) <==$/;
// The file a command prints whole: cat, less, head/tail of one file, grep -v '^#' FILE.
const SHOWS_FILE = /^(?:cat|less|more|head|tail|zcat|grep\s+(?:-\S+\s+)*(?:'[^']*'|"[^"]*"|\S+))\s+(?:-\S+\s+)*(\/\S+)\s*$/;

/** The lines that start chunks (prompts, fences, headers): understood, though they carry no data. */
export interface SplitResult {
  chunks: Chunk[];
  markers: InputLine[];
}

function showsOf(command: string | null): string | null {
  if (!command) return null;
  const m = SHOWS_FILE.exec(command.trim());
  return m ? m[1]! : null;
}

/** Removes a quote marker and the indentation every non-blank line of the chunk shares. */
export function unquote(lines: InputLine[]): InputLine[] {
  const filled = lines.filter((l) => l.text.trim() !== '');
  if (filled.length === 0) return lines;
  let out = lines;
  if (filled.every((l) => /^\s*>( |$)/.test(l.text))) {
    out = out.map((l) => ({ ...l, text: l.text.replace(/^\s*>( |$)/, '') }));
  }
  const indents = out.filter((l) => l.text.trim() !== '').map((l) => /^[ \t]*/.exec(l.text)![0]);
  let common = indents[0] ?? '';
  for (const ind of indents) {
    let k = 0;
    while (k < common.length && k < ind.length && common[k] === ind[k]) k++;
    common = common.slice(0, k);
  }
  if (common.length > 0) out = out.map((l) => ({ ...l, text: l.text.startsWith(common) ? l.text.slice(common.length) : l.text.trimStart() }));
  return out;
}

/**
 * Cuts lines into chunks as they come: each chunk is handed on (unquoted) as soon as the next one starts,
 * so a paste is never held whole.
 */
export class ChunkSplitter {
  private cur: Chunk | null = null;

  constructor(
    private readonly file: string,
    private readonly chunk: (c: Chunk) => void,
    private readonly marker: (l: InputLine) => void = () => {},
  ) {}

  private start(command: string | null, shows: string | null): Chunk {
    this.flush();
    this.cur = { file: this.file, command, shows, lines: [] };
    return this.cur;
  }

  private flush(): void {
    const c = this.cur;
    this.cur = null;
    if (c && c.lines.length > 0) this.chunk({ ...c, lines: unquote(c.lines) });
  }

  push(l: InputLine): void {
    const t = l.text;
    if (FENCE.test(t)) {
      this.marker(l);
      this.start(null, null);
      return;
    }
    const h = HEAD_HEADER.exec(t.trim());
    if (h) {
      this.marker(l);
      this.start(null, h[1]!);
      return;
    }
    // A quoted prompt ("> $ lspci") is still a prompt.
    const unq = t.replace(/^\s*>\s?/, '');
    const cmd = promptCommand(unq) ?? bareCommand(unq);
    if (cmd !== null && startsQemuCommand(cmd)) {
      // A QEMU command line is the definition of a VM: it starts a chunk (its messages follow) and is data.
      this.start(cmd, null).lines.push({ ...l, text: cmd });
      return;
    }
    if (cmd !== null) {
      this.marker(l);
      this.start(cmd === '' ? null : cmd, showsOf(cmd));
      return;
    }
    (this.cur ?? this.start(null, null)).lines.push(l);
  }

  /** Hands on the last chunk. */
  finish(): void {
    this.flush();
  }
}

export function splitChunks(lines: InputLine[]): SplitResult {
  const chunks: Chunk[] = [];
  const markers: InputLine[] = [];
  const splitter = new ChunkSplitter(lines[0]?.file ?? '-', (c) => chunks.push(c), (l) => markers.push(l));
  for (const l of lines) splitter.push(l);
  splitter.finish();
  return { chunks, markers };
}
