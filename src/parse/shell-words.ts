// A command line as a POSIX shell would split it into arguments, without running or expanding anything:
// what people paste (a script line with backslash continuations, `qm showcmd` output, which quotes each
// argument with single quotes) is turned back into the argv the program received.

export interface ShellWord {
  text: string;
  /** Offset in the input where the word starts (to tell which pasted line an argument came from). */
  offset: number;
}

/**
 * Splits one command line into words: single quotes keep everything, double quotes keep everything but
 * \" \\ \$ \` and a backslash-newline, a backslash outside quotes keeps the next character and joins
 * lines when it ends one. The command ends at an unquoted newline, ; & | or # at a word's start;
 * redirections (>file, 2>&1, < file) are dropped. Expansions ($VAR, $(...)) stay as written.
 */
export function shellWords(input: string): ShellWord[] {
  const out: ShellWord[] = [];
  let word: string | null = null;
  let start = 0;
  let redirect = false;
  const end = () => {
    if (word !== null) {
      if (redirect) redirect = false;
      else out.push({ text: word, offset: start });
    }
    word = null;
  };
  const add = (s: string, at: number) => {
    if (word === null) {
      word = '';
      start = at;
    }
    word += s;
  };
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === '\\') {
      if (input[i + 1] === '\n') {
        i += 2;
        continue;
      }
      if (input.startsWith('\r\n', i + 1)) {
        i += 3;
        continue;
      }
      if (i + 1 < input.length) add(input[i + 1]!, i);
      i += 2;
      continue;
    }
    if (c === "'") {
      const close = input.indexOf("'", i + 1);
      const stop = close < 0 ? input.length : close;
      add(input.slice(i + 1, stop), i);
      i = stop + 1;
      continue;
    }
    if (c === '"') {
      let s = '';
      let j = i + 1;
      while (j < input.length && input[j] !== '"') {
        if (input[j] === '\\' && j + 1 < input.length && '"\\$`\n'.includes(input[j + 1]!)) {
          if (input[j + 1] !== '\n') s += input[j + 1]!;
          j += 2;
          continue;
        }
        s += input[j]!;
        j++;
      }
      add(s, i);
      i = j + 1;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      end();
      i++;
      continue;
    }
    if (c === '\n' || c === ';' || c === '|' || (c === '&' && word === null)) {
      end();
      break;
    }
    if (c === '#' && word === null) break;
    if ((c === '>' || c === '<') && (word === null || /^\d+$/.test(word))) {
      // A redirection: the operator and its target are not arguments of the command.
      word = null;
      let j = i + 1;
      while (input[j] === '>' || input[j] === '&') j++;
      // "2>&1" names a descriptor, not a file: nothing follows.
      if (input[j - 1] === '&' && /\d/.test(input[j] ?? '')) {
        while (/\d/.test(input[j] ?? '')) j++;
      } else redirect = true;
      i = j;
      continue;
    }
    add(c, i);
    i++;
  }
  end();
  return out;
}
