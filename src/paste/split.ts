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

export function splitChunks(lines: InputLine[]): SplitResult {
  const chunks: Chunk[] = [];
  const markers: InputLine[] = [];
  let cur: Chunk | null = null;
  const file = lines[0]?.file ?? '-';
  const start = (command: string | null, shows: string | null) => {
    cur = { file, command, shows, lines: [] };
    chunks.push(cur);
  };
  for (const l of lines) {
    const t = l.text;
    if (FENCE.test(t)) {
      markers.push(l);
      start(null, null);
      continue;
    }
    const h = HEAD_HEADER.exec(t.trim());
    if (h) {
      markers.push(l);
      start(null, h[1]!);
      continue;
    }
    // A quoted prompt ("> $ lspci") is still a prompt.
    const unq = t.replace(/^\s*>\s?/, '');
    const cmd = promptCommand(unq) ?? bareCommand(unq);
    if (cmd !== null && startsQemuCommand(cmd)) {
      // A QEMU command line is the definition of a VM: it starts a chunk (its messages follow) and is data.
      start(cmd, null);
      cur!.lines.push({ ...l, text: cmd });
      continue;
    }
    if (cmd !== null) {
      markers.push(l);
      start(cmd === '' ? null : cmd, showsOf(cmd));
      continue;
    }
    if (!cur) start(null, null);
    cur!.lines.push(l);
  }
  return { chunks: chunks.filter((c) => c.lines.length > 0).map((c) => ({ ...c, lines: unquote(c.lines) })), markers };
}
