// A sosreport arrives as a directory or as the archive sos writes (.tar.xz, or .tar.gz / .tar.bz2 with
// other compression settings). From an archive only the members vfio-doctor reads are taken, within
// size limits (archive-stream.ts), into a private temporary directory that is removed afterwards, on
// any error, and on SIGINT, SIGTERM and SIGHUP.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArchiveFormatError, ArchiveLimitError, DEFAULT_LIMITS, unpackWanted, type UnpackLimits } from './archive-stream.js';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

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

export async function openSos(input: string, opts: { limits?: UnpackLimits } = {}): Promise<OpenedSos> {
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
  let abortUnpack: (() => void) | null = null;
  // Ctrl-C, a closed terminal or a kill while the report is read: the private copy goes, the
  // decompressor stops, and the signal then ends the process as it would have.
  const onSignal = (sig: NodeJS.Signals) => {
    abortUnpack?.();
    cleanup();
    process.kill(process.pid, sig);
  };
  const cleanup = () => {
    for (const sig of SIGNALS) process.removeListener(sig, onSignal);
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  for (const sig of SIGNALS) process.once(sig, onSignal);
  try {
    const top = await unpackWanted(path.resolve(input), tmp, opts.limits ?? DEFAULT_LIMITS, (h) => (abortUnpack = h.abort), input);
    abortUnpack = null;
    const root = findSosRoot(top) ?? findSosRoot(tmp);
    if (!root) throw new SosInputError(`${input}: the archive holds no sosreport (no sos_commands/ directory)`);
    return { root, cleanup };
  } catch (err) {
    cleanup();
    if (err instanceof ArchiveLimitError || err instanceof ArchiveFormatError) throw new SosInputError(err.message);
    throw err;
  }
}
