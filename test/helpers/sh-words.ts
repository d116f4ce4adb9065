// A small POSIX sh tokenizer for tests: it reads a printed command line the way sh would split it, without
// running anything, and reports which text the shell would treat as code (command and parameter
// substitutions, operators, command names) rather than as literal words.

export interface SimpleCommand {
  /** The words after quote removal; an active expansion is kept as written, between \u0000 marks. */
  words: string[];
  /** Words after a redirection operator (> >> <). */
  redirects: string[];
}

export interface ShellLine {
  commands: SimpleCommand[];
  /** The text of every $(...), `...`, ${...} and $NAME the shell would expand. */
  expansions: string[];
  /** The trailing comment, without '#'. */
  comment: string | null;
}

const OPERATOR = /[;&|()<>]/;

export function tokenizeShellLine(line: string): ShellLine {
  const out: ShellLine = { commands: [], expansions: [], comment: null };
  let cmd: SimpleCommand = { words: [], redirects: [] };
  let word: string | null = null;
  let redirectNext = false;
  const endWord = () => {
    if (word === null) return;
    if (redirectNext) cmd.redirects.push(word);
    else cmd.words.push(word);
    word = null;
    redirectNext = false;
  };
  const endCommand = () => {
    endWord();
    if (cmd.words.length > 0 || cmd.redirects.length > 0) out.commands.push(cmd);
    cmd = { words: [], redirects: [] };
  };
  /** Reads an expansion starting at i ('$' or '`'); returns the index after it. */
  const expansion = (i: number): number => {
    let j = i;
    if (line[i] === '`') {
      j = line.indexOf('`', i + 1);
      if (j < 0) throw new Error(`unterminated backquote in: ${line}`);
      j++;
    } else if (line[i + 1] === '(' || line[i + 1] === '{') {
      const open = line[i + 1]!;
      const close = open === '(' ? ')' : '}';
      let depth = 0;
      for (j = i + 1; j < line.length; j++) {
        if (line[j] === "'" && open === '(') j = line.indexOf("'", j + 1);
        if (j < 0) throw new Error(`unterminated quote in substitution: ${line}`);
        if (line[j] === open) depth++;
        else if (line[j] === close && --depth === 0) break;
      }
      if (j >= line.length) throw new Error(`unterminated substitution in: ${line}`);
      j++;
    } else {
      j = i + 1;
      while (j < line.length && /[A-Za-z0-9_?#@*!$-]/.test(line[j]!)) {
        j++;
        if (!/[A-Za-z0-9_]/.test(line[j - 1]!)) break;
      }
      if (j === i + 1) return -1; // a lone '$' is literal
    }
    const text = line.slice(i, j);
    out.expansions.push(text);
    word = (word ?? '') + `\u0000${text}\u0000`;
    return j;
  };
  for (let i = 0; i < line.length; ) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      endWord();
      i++;
    } else if (c === '#' && word === null) {
      out.comment = line.slice(i + 1);
      break;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated single quote in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      word = word ?? '';
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; ) {
        const d = line[j]!;
        if (d === '\\' && /[\\"$`\n]/.test(line[j + 1] ?? '')) {
          word += line[j + 1];
          j += 2;
        } else if (d === '$' || d === '`') {
          const next = expansion(j);
          if (next < 0) {
            word += d;
            j++;
          } else j = next;
        } else {
          word += d;
          j++;
        }
      }
      if (j >= line.length) throw new Error(`unterminated double quote in: ${line}`);
      i = j + 1;
    } else if (c === '\\') {
      word = (word ?? '') + (line[i + 1] ?? '');
      i += 2;
    } else if (c === '$' || c === '`') {
      const next = expansion(i);
      if (next < 0) {
        word = (word ?? '') + c;
        i++;
      } else i = next;
    } else if (OPERATOR.test(c)) {
      if (c === '>' || c === '<') {
        if (word !== null && /^\d$/.test(word) && i > 0 && line[i - 1] === word) word = null; // 2>/dev/null
        endWord();
        redirectNext = true;
        i += line[i + 1] === c || line[i + 1] === '&' ? 2 : 1;
        if (line[i - 1] === '&') {
          // >&2: the descriptor is the target
          const m = /^\d+/.exec(line.slice(i));
          i += m ? m[0].length : 0;
          redirectNext = false;
        }
      } else {
        endCommand();
        i += line[i + 1] === c ? 2 : 1;
      }
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  endCommand();
  return out;
}
