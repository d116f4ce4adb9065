// A sosreport arrives as a directory or as the archive sos writes (.tar.xz, or .tar.gz / .tar.bz2 with
// other compression settings). Archives are unpacked with the system tar into a private temporary
// directory that is removed afterwards; tar runs with an argument array and a time limit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCommand } from '../collect/run-command.js';

export class SosInputError extends Error {}

export interface OpenedSos {
  /** The report's top directory (the one holding sos_commands/). */
  root: string;
  /** Removes what was unpacked; a no-op for a directory given as is. */
  cleanup: () => void;
}

const ARCHIVE = /\.(?:tar\.xz|txz|tar\.gz|tgz|tar\.bz2|tbz2|tar\.zst|tar)$/;

/** The sosreport root below `dir`: itself, or its only subdirectory that looks like one. */
export function findSosRoot(dir: string): string | null {
  const looksLike = (d: string) => ['sos_commands', 'sos_logs', 'sos_reports'].some((n) => fs.existsSync(path.join(d, n)));
  if (looksLike(dir)) return dir;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return null;
  }
  const subs = entries.filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name)).filter(looksLike);
  return subs.length === 1 ? subs[0]! : null;
}

export async function openSos(input: string, opts: { timeoutMs?: number } = {}): Promise<OpenedSos> {
  let st: fs.Stats;
  try {
    st = fs.statSync(input);
  } catch {
    throw new SosInputError(`${input}: no such file or directory`);
  }
  if (st.isDirectory()) {
    const root = findSosRoot(input);
    if (!root) throw new SosInputError(`${input}: not a sosreport (no sos_commands/ or sos_logs/ directory in it)`);
    return { root, cleanup: () => undefined };
  }
  if (!ARCHIVE.test(input)) throw new SosInputError(`${input}: not a sosreport archive (expected .tar.xz, .tar.gz, .tar.bz2 or a directory)`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vfio-doctor-sos-'));
  const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
  try {
    // GNU tar refuses members with ".." and strips leading "/" by default; ownership and modes from the
    // archive are not applied, so a hostile archive cannot plant setuid files or foreign owners.
    const r = await runCommand(['tar', '-xf', path.resolve(input), '-C', tmp, '--no-same-owner', '--no-same-permissions'], { timeoutMs: opts.timeoutMs ?? 300_000, maxBytes: 1 << 20 });
    if (r.record.status !== 'read') {
      const why = r.record.status === 'absent' ? 'the tar command is not installed' : r.timedOut ? 'tar timed out' : (r.stderr.split('\n').find((l) => l.trim() !== '') ?? r.record.message ?? 'tar failed').trim();
      throw new SosInputError(`${input}: cannot unpack the archive (${why})`);
    }
    const root = findSosRoot(tmp);
    if (!root) throw new SosInputError(`${input}: the archive holds no sosreport (no sos_commands/ directory)`);
    return { root, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}
