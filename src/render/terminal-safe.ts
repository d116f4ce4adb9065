// The one sanitiser between every renderer and the terminal. Names under --root, in a sos report or
// in a paste can hold escape sequences (a device directory named "\e]0;...\a", a driver name that
// clears the screen); printed raw they would rewrite what the user reads. Every unprintable character
// is spelled out as \uXXXX instead (JSON output stays valid: that is a JSON escape too). Colour is
// the exception, and only the colour this program asked for: style.ts marks it with private-use
// characters, which become SGR sequences here, after the data around them has been escaped.

import { escapeChar, showEscaped } from '../text/unprintable.js';
import { STYLE_CODES, STYLE_CLOSE, STYLE_OPEN } from './style.js';

const MARKED = new RegExp(`${STYLE_OPEN}(\\d+)${STYLE_CLOSE}`, 'g');
const STRAY_MARK = new RegExp(`[${STYLE_OPEN}${STYLE_CLOSE}]`, 'g');

export function terminalSafe(text: string): string {
  const escaped = showEscaped(text, '\n\t');
  if (!escaped.includes(STYLE_OPEN) && !escaped.includes(STYLE_CLOSE)) return escaped;
  return escaped
    .replace(MARKED, (m, code: string) => (STYLE_CODES.has(Number(code)) ? `\x1b[${code}m` : m))
    .replace(STRAY_MARK, escapeChar);
}
