// Characters that must not reach a terminal or a shell line raw: C0 and C1 controls and DEL (escape
// sequences can move the cursor, hide or rewrite what was printed), the line and paragraph separators,
// and the bidirectional controls that make text display in another order than it reads.

const CLASS = '\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const ANY = new RegExp(`[${CLASS}]`, 'u');

export function hasUnprintable(text: string): boolean {
  return ANY.test(text);
}

/** One unprintable character spelled as \uXXXX (valid inside a JSON string too). */
export function escapeChar(c: string): string {
  return `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`;
}

/** The text with every unprintable character spelled as \uXXXX; `keep` lists characters left as they are. */
export function showEscaped(text: string, keep = ''): string {
  const re = new RegExp(`[${CLASS}]`, 'gu');
  return text.replace(re, (c) => (keep.includes(c) ? c : escapeChar(c)));
}
