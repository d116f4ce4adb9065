// A QEMU command line, read by the QEMU adapter collection uses for /proc/PID/cmdline
// (src/hypervisor/qemu-argv.ts) into the VM model. Three shapes:
//   - `ps aux` / `ps -ef` / `ps alx` output (with or without its header; sos keeps `ps auxwww`): ps joins
//     the arguments with spaces and quotes nothing, so a row is split at blanks;
//   - `qm showcmd N`: one line with each argument shell-quoted ('...'), or with --pretty one option per
//     line joined by " \";
//   - a command line as written in a script or a terminal, with quotes and backslash continuations.
import { whereText, type InputLine, type Recogniser } from '../types.js';
import { isQemuBinary, parseQemuCommand, qemuVm, type QemuArg } from '../../hypervisor/qemu-argv.js';
import { shellWords } from '../../parse/shell-words.js';

const PS_HEADER = /^\s*(?:F\s+)?(?:USER|UID)\s+PID\s.*\b(?:COMMAND|CMD|ARGS)\s*$/;
const PS_ROW = /^\s*\S+\s+\d+\s/;

/** A command line starts with the emulator (optionally after sudo or exec) and has options, or goes on
 *  on the next line (`qm showcmd --pretty` puts the emulator alone on the first). */
export function startsQemuCommand(text: string): boolean {
  const m = /^\s*(?:(?:sudo|doas|exec)\s+(?:-\S+\s+)*)?(\S+)\s+(?:-|\\$)/.exec(text.trimEnd());
  return m !== null && isQemuBinary(m[1]!.replace(/^['"]|['"]$/g, ''));
}

/** The arguments of a ps row from the emulator on, and the row's PID; null when the row is no QEMU. */
function psRow(text: string, pidColumn: number | null): { pid: string | null; args: string[] } | null {
  const t = text.trim().split(/\s+/);
  const k = t.findIndex((w, i) => i >= 1 && isQemuBinary(w) && (t[i + 1]?.startsWith('-') ?? false));
  if (k < 0) return null;
  const col = pidColumn ?? (/^\d+$/.test(t[1] ?? '') && k > 1 ? 1 : /^\d+$/.test(t[0]!) ? 0 : null);
  const pid = col !== null && col < k && /^\d+$/.test(t[col]!) ? t[col]! : null;
  return { pid, args: t.slice(k) };
}

/** Continuation lines: a line ending in an odd number of backslashes goes on. */
function continues(text: string): boolean {
  const m = /\\+$/.exec(text.trimEnd());
  return m !== null && m[0].length % 2 === 1;
}

/** Shell words of pasted lines, each with the line it was written on. */
function argsOfLines(lines: readonly InputLine[]): QemuArg[] {
  const starts: number[] = [];
  let text = '';
  for (const l of lines) {
    starts.push(text.length);
    text += `${l.text.replace(/^\s*(?:(?:sudo|doas|exec)\s+(?:-\S+\s+)*)/, (s) => ' '.repeat(s.length))}\n`;
  }
  return shellWords(text).map((w) => {
    let i = starts.length - 1;
    while (i > 0 && starts[i]! > w.offset) i--;
    return { text: w.text, line: lines[i]!.n };
  });
}

export const qemuCommandLine: Recogniser = {
  id: 'qemu-command-line',
  label: 'QEMU command lines (ps, qm showcmd, scripts)',
  commands: /^(?:ps|pgrep)\b|^qm\s+showcmd\b|^(?:\S*\/)?(?:qemu-system-\S+|kvm|qemu-kvm)\s/,
  match(lines, at, ctx) {
    const first = lines[at]!.text;
    if (PS_HEADER.test(first)) {
      const pidColumn = first.trim().split(/\s+/).indexOf('PID');
      let i = at + 1;
      while (i < lines.length && PS_ROW.test(lines[i]!.text)) i++;
      const rows = lines.slice(at + 1, i);
      return {
        length: i - at,
        apply(facts, where) {
          for (const r of rows) {
            const row = psRow(r.text, pidColumn);
            if (row) facts.vms.push(qemuVm(parseQemuCommand(row.args.map((text) => ({ text, line: r.n })), where.file), where.file, r.n, { runAs: null, pid: row.pid }));
          }
          facts.note('ps', whereText(where));
        },
      };
    }
    if (PS_ROW.test(first) && !startsQemuCommand(first)) {
      const row = psRow(first, null);
      // Below a prompt that ran ps (`ps aux | grep qemu`), the other processes are ps output too.
      if (!row && !/^(?:ps|pgrep)\b/.test(ctx.command ?? '')) return null;
      return {
        length: 1,
        apply(facts, where) {
          if (row) facts.vms.push(qemuVm(parseQemuCommand(row.args.map((text) => ({ text, line: where.from })), where.file), where.file, where.from, { runAs: null, pid: row.pid }));
          facts.note('ps', whereText(where));
        },
      };
    }
    if (!startsQemuCommand(first)) return null;
    let i = at;
    while (i < lines.length - 1 && continues(lines[i]!.text)) i++;
    const slice = lines.slice(at, i + 1);
    return {
      length: slice.length,
      apply(facts, where) {
        facts.vms.push(qemuVm(parseQemuCommand(argsOfLines(slice), where.file), where.file, where.from, { runAs: null, pid: null }));
        facts.note('qemu-command-line', whereText(where));
      },
    };
  },
};
