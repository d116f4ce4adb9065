// The real programs these tests compare against or build images with, the Debian packages that ship them,
// and how a test behaves when one is missing: skipped with the reason locally, failed under CI=true.

import { execFile, spawn, spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';

export const PACKAGE_OF: Record<string, string> = {
  cpio: 'cpio',
  gzip: 'gzip',
  zstd: 'zstd',
  xz: 'xz-utils',
  lz4: 'lz4',
  bzip2: 'bzip2',
  lzop: 'lzop',
  lsinitramfs: 'initramfs-tools-core',
  mkinitramfs: 'initramfs-tools-core',
  unshare: 'util-linux',
  mount: 'mount',
  mkfifo: 'coreutils',
};

// Root's PATH has the sbin directories; a developer's may not, and mkinitramfs lives there.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

export function findTool(command: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

function describeMissing(commands: string[]): string {
  return commands.map((c) => `${c} (Debian package ${PACKAGE_OF[c] ?? c})`).join(', ');
}

/** Why a test cannot run here, or null when it can. `extra` adds non-tool preconditions (root, namespaces). */
export function missingPrerequisites(commands: string[], extra: () => string | null = () => null): string | null {
  const missing = commands.filter((c) => findTool(c) === null);
  if (missing.length > 0) return `missing ${describeMissing(missing)}`;
  return extra();
}

/** A test that needs real tools: skipped with the reason when they are absent, except under CI, where it fails. */
export function toolTest(
  name: string,
  commands: string[],
  fn: (t: TestContext) => Promise<void>,
  extra?: () => string | null,
): void {
  const reason = missingPrerequisites(commands, extra);
  if (reason === null) {
    test(name, fn);
  } else if (process.env.CI === 'true') {
    test(name, () => {
      throw new Error(`${reason}; CI must provide it`);
    });
  } else {
    test(name, { skip: reason }, () => {});
  }
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Whether this process may create a private mount namespace (root, and not forbidden by a container). */
export function mountNamespaceProblem(): string | null {
  if (!isRoot()) return 'needs root for a private mount namespace';
  const probe = spawnSync('unshare', ['--mount', '--propagation', 'private', '--', 'true'], { timeout: 10_000 });
  if (probe.error || probe.status !== 0) {
    return `cannot create a mount namespace here (unshare --mount failed: ${probe.error?.message ?? probe.stderr.toString().trim()})`;
  }
  return null;
}

export interface RunResult {
  stdout: Buffer;
  stderr: string;
}

export class RunError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly stdout: Buffer,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** Runs a program with an argument array and a time limit; rejects with a RunError carrying its output. */
export function run(
  command: string,
  args: string[],
  options: { input?: Buffer; cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeoutMs ?? 120_000,
        encoding: 'buffer',
        maxBuffer: 512 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          const status = typeof error.code === 'number' ? error.code : null;
          const message = `${command} ${args.join(' ')} failed: ${error.message}\n${stderr.toString()}`;
          reject(new RunError(message, status, stdout, stderr.toString()));
          return;
        }
        resolve({ stdout, stderr: stderr.toString() });
      },
    );
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input ?? Buffer.alloc(0));
  });
}

// What GNU cpio says on stderr while listing normally. "premature end of archive" is expected from
// lsinitramfs on an image with no compressed part: unmkinitramfs still runs cpio on the empty remainder,
// and the exit status then says failure although the listing is complete.
const BENIGN_CPIO_STDERR =
  /^cpio: (premature end of archive|Removing leading `.*' from member names|Substituting `\.' for empty member name)$/;

/** lsinitramfs IMAGE, one path per line, in its order. */
export async function lsinitramfs(image: string): Promise<string[]> {
  let stdout: Buffer;
  try {
    ({ stdout } = await run(findTool('lsinitramfs') ?? 'lsinitramfs', [image], { timeoutMs: 120_000 }));
  } catch (error) {
    const benign =
      error instanceof RunError &&
      error.status !== null &&
      error.stderr
        .split('\n')
        .filter((line) => line.trim() !== '')
        .every((line) => BENIGN_CPIO_STDERR.test(line));
    if (!benign) throw error;
    stdout = (error as RunError).stdout;
  }
  return stdout
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '');
}

/** `cpio -o -H FORMAT` run in `dir` on the given relative paths (as `find . | cpio -o` would be fed). */
export async function cpioCreate(dir: string, paths: string[], format: 'newc' | 'crc' | 'odc' = 'newc'): Promise<Buffer> {
  const input = Buffer.from(paths.map((p) => `${p}\n`).join(''));
  const { stdout } = await run('cpio', ['--quiet', '-o', '-H', format], { cwd: dir, input });
  return stdout;
}

/** Compressor command lines as initramfs-tools' mkinitramfs uses them (lz4 in the legacy frame, -l). */
export const COMPRESSORS: Record<string, { command: string; args: string[] }> = {
  gzip: { command: 'gzip', args: ['-n', '-c'] },
  zstd: { command: 'zstd', args: ['-q', '-9', '-c'] },
  xz: { command: 'xz', args: ['--check=crc32', '-c'] },
  lzma: { command: 'xz', args: ['--format=lzma', '-c'] },
  lz4: { command: 'lz4', args: ['-9', '-l', '-c'] },
  bzip2: { command: 'bzip2', args: ['-c'] },
  lzo: { command: 'lzop', args: ['-c'] },
};

export async function compress(format: string, data: Buffer): Promise<Buffer> {
  const tool = COMPRESSORS[format]!;
  return (await run(tool.command, tool.args, { input: data })).stdout;
}

/** Streams `chunks` through a compressor straight into `output`, for inputs too big to build in memory. */
export function compressStream(format: string, chunks: Iterable<Buffer>, output: string): Promise<void> {
  const tool = COMPRESSORS[format]!;
  return new Promise((resolve, reject) => {
    const out = openSync(output, 'w');
    const child = spawn(tool.command, tool.args, { stdio: ['pipe', out, 'pipe'] });
    closeSync(out);
    const stdin = child.stdin!;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${tool.command} failed: ${stderr}`))));
    const iterator = chunks[Symbol.iterator]();
    const pump = (): void => {
      for (;;) {
        const next = iterator.next();
        if (next.done) {
          stdin.end();
          return;
        }
        if (!stdin.write(next.value)) {
          stdin.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

/** A temporary directory removed after the calling test file finishes. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `vfio-doctor-${prefix}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
