// ANSI styling only on a terminal, and never when NO_COLOR is set (no-color.org).
export interface Style {
  bold: (s: string) => string;
  red: (s: string) => string;
  yellow: (s: string) => string;
  green: (s: string) => string;
  dim: (s: string) => string;
  cyan: (s: string) => string;
}

/** Colour is marked with private-use characters; terminal-safe.ts turns the marks into SGR sequences after escaping the data. */
export const STYLE_OPEN = '\ue000';
export const STYLE_CLOSE = '\ue001';
const mark = (code: number) => `${STYLE_OPEN}${code}${STYLE_CLOSE}`;
const wrap = (open: number, close: number) => (s: string) => `${mark(open)}${s}${mark(close)}`;
const plain = (s: string) => s;

export function makeStyle(enabled: boolean): Style {
  if (!enabled) return { bold: plain, red: plain, yellow: plain, green: plain, dim: plain, cyan: plain };
  return { bold: wrap(1, 22), red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), dim: wrap(2, 22), cyan: wrap(36, 39) };
}

/** The SGR codes the styles above use: the only escape sequences the output may carry. */
export const STYLE_CODES: ReadonlySet<number> = new Set([1, 22, 31, 39, 33, 32, 2, 36]);

/** --color: always and never are the user's word over the terminal and NO_COLOR; auto decides from them. */
export type ColourChoice = 'auto' | 'always' | 'never';

export function colourWanted(isTty: boolean, env: Record<string, string | undefined>, choice: ColourChoice = 'auto'): boolean {
  if (choice !== 'auto') return choice === 'always';
  return isTty && (env['NO_COLOR'] === undefined || env['NO_COLOR'] === '') && env['TERM'] !== 'dumb';
}
