import fs from 'node:fs';
import path from 'node:path';
import { AtomicWriteError, writeFileAtomic } from '../output/atomic-write.js';
import { fsErrorText } from '../output/fs-error-text.js';
import { runCommand } from '../collect/run-command.js';
import { renderUnit, UNIT_MARKER, UNIT_NAME, type UnitOptions } from './unit.js';

// Installs and removes the boot-snapshot unit. On a live host systemctl does the enabling; with
// --root (an image or a test tree) there is no systemd to talk to, so only files are written,
// including the multi-user.target.wants link that "systemctl enable" would have made.

export const SYSTEM_UNIT_DIR = '/etc/systemd/system';

export class InstallError extends Error {}

export interface Step {
  what: string;
  ok: boolean;
  message?: string;
}

export interface Target {
  /** Directory the unit file goes into (DIR/etc/systemd/system under --root). */
  unitDir: string;
  /** systemctl to run; null: write files only (--root). */
  systemctl: string | null;
  timeoutMs?: number;
}

export interface InstallResult {
  unitFile: string;
  /** The same unit was already there. */
  unchanged: boolean;
  steps: Step[];
  ok: boolean;
}

function errnoText(e: NodeJS.ErrnoException): string {
  return fsErrorText(e);
}

function readIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return null;
    throw new InstallError(`cannot read ${file}: ${errnoText(e)}`);
  }
}

async function systemctl(t: Target, args: string[]): Promise<Step> {
  const argv = [t.systemctl!, ...args];
  const r = await runCommand(argv, { timeoutMs: t.timeoutMs ?? 30_000 });
  const what = `systemctl ${args.join(' ')}`;
  if (r.record.status === 'read') return { what, ok: true };
  if (r.record.status === 'absent') return { what, ok: false, message: `${t.systemctl} not found (is this host running systemd?)` };
  return { what, ok: false, message: r.record.message ?? `exit code ${r.exitCode}` };
}

function wantsLink(t: Target): string {
  return path.join(t.unitDir, 'multi-user.target.wants', UNIT_NAME);
}

function enableByLink(t: Target): Step {
  const link = wantsLink(t);
  const dest = path.posix.join(SYSTEM_UNIT_DIR, UNIT_NAME);
  try {
    fs.mkdirSync(path.dirname(link), { recursive: true, mode: 0o755 });
    let current: string | null = null;
    try {
      current = fs.readlinkSync(link);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (current !== dest) {
      if (current !== null) fs.rmSync(link, { force: true });
      fs.symlinkSync(dest, link);
    }
    return { what: `link ${link} -> ${dest}`, ok: true };
  } catch (err) {
    return { what: `link ${link}`, ok: false, message: errnoText(err as NodeJS.ErrnoException) };
  }
}

export async function installBootSnapshots(t: Target, unit: UnitOptions, opts: { force: boolean }): Promise<InstallResult> {
  const unitFile = path.join(t.unitDir, UNIT_NAME);
  const text = renderUnit(unit);
  const existing = readIfExists(unitFile);
  const unchanged = existing === text;
  if (existing !== null && !unchanged && !opts.force) {
    throw new InstallError(`${unitFile} already exists with different content (use --force to replace it)`);
  }
  if (!unchanged) {
    try {
      fs.mkdirSync(t.unitDir, { recursive: true, mode: 0o755 });
      writeFileAtomic(unitFile, text, { overwrite: existing !== null, mode: 0o644 });
    } catch (err) {
      throw new InstallError(err instanceof AtomicWriteError ? err.message : `cannot write ${unitFile}: ${errnoText(err as NodeJS.ErrnoException)}`);
    }
  }
  const steps: Step[] = [];
  if (t.systemctl === null) steps.push(enableByLink(t));
  else {
    for (const args of [['daemon-reload'], ['enable', UNIT_NAME]]) {
      const s = await systemctl(t, args);
      steps.push(s);
      if (!s.ok) break;
    }
  }
  return { unitFile, unchanged, steps, ok: steps.every((s) => s.ok) };
}

export interface UninstallResult {
  unitFile: string;
  /** Nothing of ours was installed. */
  absent: boolean;
  steps: Step[];
  ok: boolean;
}

export async function uninstallBootSnapshots(t: Target, opts: { force: boolean }): Promise<UninstallResult> {
  const unitFile = path.join(t.unitDir, UNIT_NAME);
  const existing = readIfExists(unitFile);
  const link = wantsLink(t);
  let linked = false;
  try {
    fs.lstatSync(link);
    linked = true;
  } catch {
    linked = false;
  }
  if (existing === null && !linked) return { unitFile, absent: true, steps: [], ok: true };
  if (existing !== null && !existing.startsWith(UNIT_MARKER) && !opts.force) {
    throw new InstallError(`${unitFile} was not written by vfio-doctor (use --force to remove it anyway)`);
  }
  const steps: Step[] = [];
  const systemd = t.systemctl !== null;
  if (systemd && existing !== null) steps.push(await systemctl(t, ['disable', UNIT_NAME]));
  // Without systemctl (or when disable failed) the enable link is removed by hand.
  const remove = (file: string, what: string) => {
    try {
      fs.rmSync(file, { force: true });
      steps.push({ what, ok: true });
    } catch (err) {
      steps.push({ what, ok: false, message: errnoText(err as NodeJS.ErrnoException) });
    }
  };
  if (linked && (!systemd || !steps.every((s) => s.ok) || existing === null)) remove(link, `remove ${link}`);
  if (existing !== null) remove(unitFile, `remove ${unitFile}`);
  if (systemd) steps.push(await systemctl(t, ['daemon-reload']));
  return { unitFile, absent: false, steps, ok: steps.every((s) => s.ok) };
}
