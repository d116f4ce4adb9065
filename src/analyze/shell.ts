// The one way a printed command gets a value from a host, a capture or a paste. People paste these
// lines into a root shell, so a driver name such as nouveau'$(reboot)' must come out as one literal
// word, never as shell syntax. The template's literal parts are trusted (written here); each
// interpolated value is quoted for the POSIX sh context it lands in: a bare word, inside '...', inside
// "...", or in a trailing comment. Control characters cannot be shown on a terminal faithfully (an
// escape sequence can hide the rest of the line), so a command holding one is not printed at all.

import { hasUnprintable, showEscaped } from '../text/unprintable.js';

export type ShellValue = string | number | readonly (string | number)[];

type Context = 'bare' | 'single' | 'double' | 'comment';

/** Characters that never need quoting in a POSIX sh word. */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

export { hasUnprintable, showEscaped };

/** One POSIX sh word that stands for exactly this text. */
export function quoteWord(text: string): string {
  if (PLAIN_WORD.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function quoteIn(context: Context, text: string): string {
  switch (context) {
    case 'bare':
      return quoteWord(text);
    case 'single':
      return text.replace(/'/g, `'\\''`);
    case 'double':
      return text.replace(/[\\"$`]/g, (c) => `\\${c}`);
    case 'comment':
      return text;
  }
}

/** The quoting context after a trusted literal part, starting from the context before it. */
function advance(context: Context, literal: string, startOfLine: boolean): Context {
  let ctx = context;
  for (let i = 0; i < literal.length; i++) {
    const c = literal[i]!;
    if (ctx === 'single') {
      if (c === "'") ctx = 'bare';
    } else if (ctx === 'double') {
      if (c === '\\') i++;
      else if (c === '"') ctx = 'bare';
    } else if (ctx === 'bare') {
      if (c === '\\') i++;
      else if (c === "'") ctx = 'single';
      else if (c === '"') ctx = 'double';
      else if (c === '#' && (i === 0 ? startOfLine : /[\s;&|(]/.test(literal[i - 1]!))) ctx = 'comment';
    }
  }
  return ctx;
}

function render(value: ShellValue, context: Context): string {
  if (typeof value === 'string' || typeof value === 'number') return quoteIn(context, String(value));
  const parts = value.map(String);
  return context === 'bare' ? parts.map(quoteWord).join(' ') : quoteIn(context, parts.join(' '));
}

function flatten(value: ShellValue): string[] {
  return typeof value === 'string' || typeof value === 'number' ? [String(value)] : value.map(String);
}

/** The line printed instead of a command that would carry a control character. */
export function refusedCommand(value: string): string {
  return `# command not printed: the value "${showEscaped(value)}" holds control characters and cannot be printed safely`;
}

/**
 * A command line with every interpolated value quoted for where it stands:
 * sh`echo ${text} > ${file}`, sh`echo 'softdep ${module} pre: vfio-pci'`, sh`kernelstub -a "${arg}"`.
 * An array interpolates as separate words (bare) or as one space-joined string (inside quotes).
 */
export function sh(literals: TemplateStringsArray, ...values: ShellValue[]): string {
  for (const v of values) {
    const bad = flatten(v).find(hasUnprintable);
    if (bad !== undefined) return refusedCommand(bad);
  }
  let out = literals[0]!;
  let context = advance('bare', literals[0]!, true);
  // A '#' right after an interpolated word is not a comment: only literal whitespace starts one.
  for (let i = 0; i < values.length; i++) {
    out += render(values[i]!, context);
    const next = literals[i + 1]!;
    out += next;
    context = advance(context, next, false);
  }
  return out;
}

/** A basic regular expression (sed, grep) that matches exactly this text. */
export function literalRegex(text: string): string {
  return text.replace(/[\\/.*[\]^$&]/g, (c) => `\\${c}`);
}

/** True when the text can stand inside a double-quoted udev rule value without ending it. */
export function udevSafe(text: string): boolean {
  return !hasUnprintable(text) && !/["\\$%]/.test(text);
}
