// Error and status lines of user-space tools become toolMessages. Each tool's recogniser is a list of
// line patterns; a line may carry a timestamp or a journal header in front, which is looked through.
import type { ToolName } from '../snapshot/types.js';
import { parsePrefix } from '../log/prefix.js';
import type { Recogniser } from './types.js';

export interface ToolPatterns {
  tool: ToolName;
  /** Any of these on the message (prefixes removed) makes the line this tool's. */
  lines: RegExp[];
}

/** The message of a line with a log prefix (time stamp, syslog or journal header) removed. */
export function messageOf(text: string): { message: string; ident: string | null } {
  const t = text.trim();
  const p = parsePrefix(t);
  // QEMU's "-msg timestamp=on" (as libvirt runs it) puts an ISO time before its own lines.
  if (p.format === 'plain') return { message: t.replace(ISO_STAMP, ''), ident: null };
  return { message: p.message.trim(), ident: p.ident };
}

const ISO_STAMP = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?:?\s+/;

export function matchesTool(p: ToolPatterns, message: string): boolean {
  return p.lines.some((re) => re.test(message));
}

/** A recogniser that takes one line at a time when it is one of the tool's messages. */
export function toolRecogniser(id: string, label: string, commands: RegExp | null, patterns: ToolPatterns): Recogniser {
  return {
    id,
    label,
    commands,
    match(lines, at) {
      const l = lines[at]!;
      const { message } = messageOf(l.text);
      if (!matchesTool(patterns, message)) return null;
      return {
        length: 1,
        apply(facts) {
          facts.addTool({ tool: patterns.tool, source: l.file, line: l.n, text: l.text.trim() });
        },
      };
    },
  };
}
