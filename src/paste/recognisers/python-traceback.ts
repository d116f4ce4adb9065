// A Python traceback (a hook script, a vendor tool, dpdk-devbind.py): "Traceback (most recent call
// last):", the "  File ..., line N, in f" frames with their source lines, and the final
// "XxxError: message" line, which carries what went wrong. The block is one tool message: the final
// line, with the innermost frame it was raised in, so the message catalogue reads the error and the
// evidence still says where.
import type { Recogniser } from '../types.js';

const START = /^Traceback \(most recent call last\):\s*$/;
const FRAME = /^\s+File "([^"]+)", line (\d+)(?:, in (\S+))?/;
const FINAL = /^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)|[A-Za-z_][\w.]*Error)(?::\s*(.*))?$/;

export const pythonTraceback: Recogniser = {
  id: 'python-traceback',
  label: 'Python tracebacks (the final exception line carries the message)',
  commands: null,
  match(lines, at) {
    if (!START.test(lines[at]!.text.trim())) return null;
    let i = at + 1;
    let frame: RegExpExecArray | null = null;
    // Frames and their (indented) source lines; chained tracebacks repeat the whole block.
    while (i < lines.length) {
      const t = lines[i]!.text;
      const f = FRAME.exec(t);
      if (f) frame = f;
      else if (!/^\s+\S/.test(t) && !/^\s*\^+\s*$/.test(t)) break;
      i++;
    }
    const final = lines[i];
    const fm = final ? FINAL.exec(final.text.trim()) : null;
    if (!final || !fm || !frame) return null;
    return {
      length: i - at + 1,
      apply(facts) {
        const where = frame ? ` (raised in ${frame[1]}:${frame[2]}${frame[3] ? `, ${frame[3]}` : ''})` : '';
        facts.addTool({ tool: 'other', source: final.file, line: final.n, text: `${final.text.trim()}${where}` });
      },
    };
  },
};
