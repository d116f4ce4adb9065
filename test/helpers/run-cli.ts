import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/command.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output (no terminal, no colour). */
export async function runCli(args: string[], opts: { stdin?: string; cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => Buffer.from(opts.stdin ?? ''),
    env: opts.env ?? {},
    isTty: false,
    cwd: opts.cwd ?? process.cwd(),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
