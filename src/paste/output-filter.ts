// What a pasted command line says about the lines it shows. `dmesg | grep -i vfio` shows only lines
// matching "vfio": the absence of a DMAR line there proves only that no DMAR line matched "vfio", never
// that the firmware has no DMAR table. Absence counts as evidence only when the filter would have let the
// missing line through.

/** What a command's filters let through; `undefined` command stages (awk, sed, head) make it unknowable. */
export interface OutputFilter {
  /** The command as pasted. */
  command: string;
  /** true: a line like this would be shown; false: it would be filtered out; null: cannot tell. */
  shows(line: string): boolean | null;
}

/** Shell words of one command line: quotes removed, pipes kept as their own word. */
function words(command: string): string[] | null {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < command.length && '"\\$`'.includes(command[i + 1]!)) cur += command[++i];
      else cur += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < command.length) {
      cur += command[++i];
      has = true;
    } else if (c === '|' || c === ' ' || c === '\t' || c === ';' || c === '&') {
      if (has) out.push(cur);
      cur = '';
      has = false;
      if (c === '|' && command[i + 1] !== '|') out.push('|');
      else if (c !== ' ' && c !== '\t') return null;
    } else {
      cur += c;
      has = true;
    }
  }
  if (quote) return null;
  if (has) out.push(cur);
  return out;
}

const POSIX_CLASSES: Record<string, string> = {
  '[:space:]': '\\s',
  '[:digit:]': '0-9',
  '[:alpha:]': 'A-Za-z',
  '[:alnum:]': 'A-Za-z0-9',
  '[:upper:]': 'A-Z',
  '[:lower:]': 'a-z',
  '[:xdigit:]': '0-9A-Fa-f',
  '[:punct:]': '!-/:-@[-`{-~',
};

/** A grep pattern as a JavaScript regular expression; null when it cannot be translated. */
function patternRegex(pattern: string, syntax: 'basic' | 'extended' | 'fixed' | 'perl', flags: { i: boolean; w: boolean; x: boolean }): RegExp | null {
  let src: string;
  if (syntax === 'fixed') src = pattern.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  else {
    src = pattern.replace(/\[:[a-z]+:\]/g, (c) => POSIX_CLASSES[c] ?? c);
    if (syntax === 'basic') {
      // In a basic expression \| \( \) \{ \} \+ \? are the operators and the bare characters are literal.
      src = src.replace(/\\([|(){}+?])|([|(){}+?])/g, (_m, op: string | undefined, lit: string | undefined) => (op ? op : `\\${lit}`));
    }
  }
  if (flags.w) src = `(?<![A-Za-z0-9_])(?:${src})(?![A-Za-z0-9_])`;
  if (flags.x) src = `^(?:${src})$`;
  try {
    return new RegExp(src, flags.i ? 'i' : '');
  } catch {
    return null;
  }
}

/** One grep stage: the line test, or null when its options make absence unknowable (-m, -f, -c, -o). */
function grepStage(args: string[], program: string): ((line: string) => boolean) | null {
  let syntax: 'basic' | 'extended' | 'fixed' | 'perl' = program === 'egrep' ? 'extended' : program === 'fgrep' ? 'fixed' : 'basic';
  const flags = { i: false, w: false, x: false };
  let invert = false;
  const patterns: string[] = [];
  let positional: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      if (patterns.length === 0 && positional === null) positional = args[i + 1] ?? null;
      break;
    }
    if (a.startsWith('--')) {
      const [name, value] = a.slice(2).split('=', 2) as [string, string | undefined];
      if (name === 'ignore-case') flags.i = true;
      else if (name === 'invert-match') invert = true;
      else if (name === 'word-regexp') flags.w = true;
      else if (name === 'line-regexp') flags.x = true;
      else if (name === 'extended-regexp') syntax = 'extended';
      else if (name === 'fixed-strings') syntax = 'fixed';
      else if (name === 'perl-regexp') syntax = 'perl';
      else if (name === 'basic-regexp') syntax = 'basic';
      else if (name === 'regexp') patterns.push(value ?? args[++i] ?? '');
      else if (['max-count', 'file', 'count', 'only-matching', 'files-with-matches', 'files-without-match', 'quiet', 'silent'].includes(name)) return null;
      else if (['after-context', 'before-context', 'context', 'label', 'include', 'exclude', 'exclude-dir'].includes(name) && value === undefined) i++;
      continue;
    }
    if (a.startsWith('-') && a.length > 1 && !/^-\d+$/.test(a)) {
      for (let k = 1; k < a.length; k++) {
        const f = a[k]!;
        if (f === 'i' || f === 'y') flags.i = true;
        else if (f === 'v') invert = true;
        else if (f === 'w') flags.w = true;
        else if (f === 'x') flags.x = true;
        else if (f === 'E') syntax = 'extended';
        else if (f === 'F') syntax = 'fixed';
        else if (f === 'P') syntax = 'perl';
        else if (f === 'G') syntax = 'basic';
        else if ('mfcoqlL'.includes(f)) return null;
        else if ('eABCd'.includes(f)) {
          // The option's value is the rest of this word or the next word.
          const value = k + 1 < a.length ? a.slice(k + 1) : args[++i] ?? '';
          if (f === 'e') patterns.push(value);
          break;
        }
      }
      continue;
    }
    if (/^-\d+$/.test(a)) continue;
    if (patterns.length === 0 && positional === null) positional = a;
  }
  if (patterns.length === 0 && positional !== null) patterns.push(positional);
  if (patterns.length === 0) return null;
  const res = patterns.flatMap((p) => p.split('\n')).map((p) => patternRegex(p, syntax, flags));
  if (res.some((r) => r === null)) return null;
  return (line) => res.some((r) => r!.test(line)) !== invert;
}

// Stages that pass every line through unchanged, or only colour or page them.
const PASS_THROUGH = /^(?:cat|less|more|tee|sudo|doas|nl)$/;
// Options that make dmesg or journalctl print only part of the log (levels, facilities, units, a pattern).
const LOG_FILTER_OPTIONS: Record<string, RegExp> = {
  dmesg: /^(?:-l|--level|-f|--facility|-u|--userspace)(?:=|$)|^-[a-zA-Z]*[lfu]/,
  journalctl: /^(?:-g|--grep|-u|--unit|-t|--identifier|-p|--priority)(?:=|$)/,
};

/**
 * The filter a pasted command line applies to what it shows; null when it shows the whole output (no
 * grep, no other filtering stage). A grep that reads files (`grep -i dmar /var/log/kern.log`) filters too.
 */
export function outputFilterOf(command: string | null): OutputFilter | null {
  if (!command) return null;
  const ws = words(command);
  if (!ws) return { command, shows: () => null };
  const stages: string[][] = [[]];
  for (const w of ws) {
    if (w === '|') stages.push([]);
    else stages[stages.length - 1]!.push(w);
  }
  const tests: ((line: string) => boolean | null)[] = [];
  for (const [index, stage] of stages.entries()) {
    let [program, ...args] = stage;
    while (program && /^(?:sudo|doas|command|time)$/.test(program)) [program, ...args] = args;
    if (!program) continue;
    const name = program.replace(/^.*\//, '');
    if (/^[ezf]?grep$|^zgrep$/.test(name)) {
      const t = grepStage(args, name.replace(/^z/, ''));
      tests.push(t ?? (() => null));
    } else if ((name === 'dmesg' || name === 'journalctl') && args.some((a) => LOG_FILTER_OPTIONS[name]!.test(a))) {
      tests.push(() => null);
    } else if (PASS_THROUGH.test(name) || name === 'dmesg' || name === 'journalctl') {
      continue;
    } else if (index > 0) {
      // head, tail, awk, sed, sort, uniq...: what they drop cannot be told from the line alone.
      tests.push(() => null);
    }
  }
  if (tests.length === 0) return null;
  return {
    command,
    shows(line) {
      let unknown = false;
      for (const t of tests) {
        const r = t(line);
        if (r === false) return false;
        if (r === null) unknown = true;
      }
      return unknown ? null : true;
    },
  };
}

/** Whether a line like `sample` would be in the output of `command`: absence of it then means something. */
export function absenceCounts(command: string | null, sample: string): boolean {
  const f = outputFilterOf(command);
  return f === null || f.shows(sample) === true;
}
