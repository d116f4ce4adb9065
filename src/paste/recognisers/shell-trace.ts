// `bash -x` / `set -x` traces: "+ echo 0000:0b:00.0 > /sys/bus/pci/drivers/vfio-pci/bind" is the command
// that ran (one "+" per nesting level), and the error lines right after it are what that command got
// ("bash: echo: write error: No such device"). The error alone does not say which file it was written
// to; the trace does, so the two are kept together in one tool message, and a device the command
// writes about (a bind, unbind, driver_override, remove or reset of an address) is a device of the
// analysis, named by the script.
import type { InputLine, Recogniser } from '../types.js';
import type { PasteFacts } from '../facts.js';
import { ADDR, addr } from './common.js';
import { SHELL_LINES } from './shell-errors.js';
import { matchesTool, messageOf } from '../tool-line.js';

const TRACE = /^(\++) (\S.*)$/;
// A write to sysfs about a device: xtrace prints the words, not the redirection ("+ echo 0000:0b:00.0"),
// so an echoed address counts when the redirection is shown or a write error follows; tee shows its file.
const SYSFS_PATH_DEVICE = new RegExp(`/sys/bus/pci/devices/(${ADDR})/`);
const ECHOED = new RegExp(`^(?:echo|printf)\\b.*?\\b(${ADDR})\\b`);
const TO_SYSFS = />+\s*\S*\/sys\/|\btee\b.*\/sys\//;
const WRITE_ERROR = /write error|Invalid argument|No such device|Device or resource busy/;

function deviceWritten(command: string, errors: InputLine[]): string | null {
  const inPath = SYSFS_PATH_DEVICE.exec(command);
  if (inPath && TO_SYSFS.test(command)) return addr(inPath[1]!);
  const echoed = ECHOED.exec(command);
  if (echoed && (TO_SYSFS.test(command) || errors.some((e) => WRITE_ERROR.test(e.text)))) return addr(echoed[1]!);
  return null;
}

// Error lines a traced command prints: the shell's own, and a program's "name: message".
const ERROR_LINE = /^(?:[\w./-]+(?:\[\d+\])?: (?:line \d+: )?)?.*(?:error|Error|ERROR|No such|denied|not permitted|Invalid argument|busy|not found|FATAL|failed|Failed)/;

function isError(l: InputLine | undefined): boolean {
  if (!l || TRACE.test(l.text.trim())) return false;
  const { message } = messageOf(l.text);
  return matchesTool(SHELL_LINES, message) || ERROR_LINE.test(message);
}

function record(facts: PasteFacts, trace: InputLine, command: string, errors: InputLine[]): void {
  const where = `${trace.file}:${trace.n}`;
  const device = deviceWritten(command, errors);
  if (device) {
    facts.device(device, where);
    facts.name(device, 'a traced script (sysfs write)', where);
  }
  if (errors.length === 0) {
    facts.addTool({ tool: 'shell', source: trace.file, line: trace.n, text: `+ ${command}` });
    return;
  }
  for (const e of errors) facts.addTool({ tool: 'shell', source: e.file, line: e.n, text: `${e.text.trim()} (after: ${command})` });
}

export const shellTrace: Recogniser = {
  id: 'shell-trace',
  label: 'bash -x / set -x traces ("+ command" and the errors it printed)',
  commands: /^(?:bash|sh)\s+-\w*x|set -x/,
  match(lines, at) {
    const m = TRACE.exec(lines[at]!.text.trim());
    if (!m) return null;
    let end = at + 1;
    while (isError(lines[end])) end++;
    const trace = lines[at]!;
    const errors = lines.slice(at + 1, end);
    return { length: end - at, apply: (facts) => record(facts, trace, m[2]!, errors) };
  },
};
