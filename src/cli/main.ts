import { InputError, UsageError, type Io } from './command.js';
import { COMMANDS } from './registry.js';
import { VERSION } from '../version.js';
import { terminalSafe } from '../render/terminal-safe.js';

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `vfio-doctor ${VERSION} — diagnose PCI passthrough (IOMMU / VFIO), layer by layer`,
    '',
    'Usage: vfio-doctor <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "vfio-doctor <command> --help" for the options of one command.',
    '',
  ].join('\n');
}

function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

export async function main(argv: string[], rawIo: Io): Promise<number> {
  // Everything printed passes the one terminal sanitiser: names from a host, an archive or a paste may hold escapes.
  const io: Io = { ...rawIo, stdout: (t) => rawIo.stdout(terminalSafe(t)), stderr: (t) => rawIo.stderr(terminalSafe(t)) };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(helpText());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.stderr(`vfio-doctor: unknown command "${name}"\n\n${helpText()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`Usage: ${cmd.usage}\n${cmd.summary}\n`);
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      io.stderr(`vfio-doctor ${cmd.name}: ${(err as Error).message}\nUsage: ${cmd.usage}\n`);
      return 2;
    }
    if (err instanceof InputError) {
      io.stderr(`vfio-doctor ${cmd.name}: ${err.message}\n`);
      return 2;
    }
    // Users get one line; the stack is there for whoever asks for it.
    io.stderr(`vfio-doctor ${cmd.name}: internal error: ${(err as Error)?.message ?? String(err)}\n`);
    if (io.env['VFIO_DOCTOR_DEBUG']) io.stderr(`${(err as Error)?.stack ?? ''}\n`);
    return 2;
  }
}

export function processIo(): Io {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    },
    env: process.env,
    isTty: Boolean(process.stdout.isTTY),
    cwd: process.cwd(),
  };
}
