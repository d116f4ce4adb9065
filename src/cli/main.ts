import { InputError, UsageError, type Command, type Io } from './command.js';
import { COMMANDS } from './registry.js';
import { InputReadError, MAX_INPUT_BYTES, readStreamCapped } from '../io/read-input.js';
import { VERSION } from '../version.js';
import { terminalSafe } from '../render/terminal-safe.js';
import { commandHelp, mainHelp } from './help.js';
import { nearest } from './suggest.js';

function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

export async function main(argv: string[], rawIo: Io): Promise<number> {
  // Everything printed passes the one terminal sanitiser: names from a host, an archive or a paste may hold escapes.
  const io: Io = { ...rawIo, stdout: (t) => rawIo.stdout(terminalSafe(t)), stderr: (t) => rawIo.stderr(terminalSafe(t)) };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(mainHelp(COMMANDS));
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  if (name === 'help') {
    if (rest.length === 0) {
      io.stdout(mainHelp(COMMANDS));
      return 0;
    }
    const topic = findCommand(rest[0]!, io);
    if (!topic) return 2;
    io.stdout(commandHelp(topic));
    return 0;
  }
  const cmd = findCommand(name, io);
  if (!cmd) return 2;
  // Only before a lone "--" is --help a request for help; after it, it is an argument.
  const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (own.includes('--help') || own.includes('-h')) {
    io.stdout(commandHelp(cmd));
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      io.stderr(`vfio-doctor ${cmd.name}: ${(err as Error).message}\nUsage: ${cmd.usage}\n`);
      return 2;
    }
    if (err instanceof InputError || err instanceof InputReadError) {
      io.stderr(`vfio-doctor ${cmd.name}: ${err.message}\n`);
      return 2;
    }
    // Users get one line; the stack is there for whoever asks for it.
    io.stderr(`vfio-doctor ${cmd.name}: internal error: ${(err as Error)?.message ?? String(err)}\n`);
    if (io.env['VFIO_DOCTOR_DEBUG']) io.stderr(`${(err as Error)?.stack ?? ''}\n`);
    return 2;
  }
}

/** The command of that name; otherwise says so, with the nearest names, and returns null. */
function findCommand(name: string, io: Io): Command | null {
  const cmd = COMMANDS.find((c) => c.name === name);
  if (cmd) return cmd;
  const near = nearest(name, COMMANDS.map((c) => c.name));
  const hint = near.length > 0 ? ` (did you mean ${near.map((n) => `"${n}"`).join(' or ')}?)` : '';
  io.stderr(`vfio-doctor: unknown command "${name}"${hint}\nThe commands: ${COMMANDS.map((c) => c.name).join(', ')}.\n"vfio-doctor --help" says what each does.\n`);
  return null;
}

export function processIo(): Io {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    // Stops reading at the cap, so "yes | vfio-doctor analyze -" ends with a message, not an exhausted machine.
    readStdin: (maxBytes = MAX_INPUT_BYTES) => readStreamCapped(process.stdin, maxBytes),
    env: process.env,
    isTty: Boolean(process.stdout.isTTY),
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    stderrTerminal: process.stderr.isTTY
      ? {
          write: (raw) => void process.stderr.write(raw),
          get columns() {
            return process.stderr.columns;
          },
        }
      : undefined,
    cwd: process.cwd(),
  };
}
