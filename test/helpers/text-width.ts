// Checks of fitted text output shared by the command tests.
import { visibleWidth } from '../../src/render/wrap.js';

const ANSI = /\x1b\[\d+m/g;

/**
 * Lines wider than `width` columns that may not be: only one unbreakable token (a path, an address) or
 * one whole command ("$ ..." on a line of its own, or a "# ..." comment among the commands, listed
 * in `commands` when given) may exceed it.
 */
export function overlongLines(text: string, width: number, commands?: readonly string[]): string[] {
  return text
    .replace(ANSI, '')
    .split('\n')
    .filter((l) => visibleWidth(l) > width)
    .filter((l) => {
      const t = l.trim();
      if (!t.includes(' ')) return false;
      if (t.startsWith('# ')) return commands !== undefined && !commands.includes(t);
      if (!t.startsWith('$ ')) return true;
      return commands !== undefined && !commands.includes(t.slice(2));
    });
}

/** The text with every run of white space made one space: the same words whatever the width. */
export function words(text: string): string {
  return text.replace(/\s+/g, ' ');
}
