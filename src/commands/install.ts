import fs from 'node:fs';
import path from 'node:path';
import type { Command, Io } from '../cli/command.js';
import { InputError, UsageError } from '../cli/command.js';
import { rootOption } from '../cli/root-option.js';
import { isSingleExecutable } from '../cli/single-executable.js';
import { parseCommandLine, type OptionSpec } from '../cli/options.js';
import { ROOT_OPTION } from '../cli/common-options.js';
import { installBootSnapshots, InstallError, SYSTEM_UNIT_DIR, uninstallBootSnapshots, type Step, type Target } from '../install/boot-snapshots.js';
import { DEFAULT_KEEP, UNIT_NAME, UnitError } from '../install/unit.js';
import { DEFAULT_STORE_DIR } from '../store/store.js';
import { installKernelHook, KERNEL_HOOK_PATH, KernelHookError, uninstallKernelHook } from '../preflight/kernel-hook.js';

// Exit codes: 0 done, 1 the unit file was handled but a systemctl step failed (the message says which
// and what to run by hand), 2 bad usage or nothing could be written.

function target(root: string | undefined): Target {
  return root === undefined ? { unitDir: SYSTEM_UNIT_DIR, systemctl: 'systemctl' } : { unitDir: path.join(root, SYSTEM_UNIT_DIR), systemctl: null };
}

/** The unit runs this very script: its path as invoked (a symlink stays a symlink, so upgrades follow it). */
function cliPath(): string {
  if (isSingleExecutable()) return process.execPath;
  const arg = process.argv[1];
  if (!arg) throw new InputError('cannot tell where the vfio-doctor script is (process.argv[1] is empty)');
  const abs = path.resolve(arg);
  if (!fs.existsSync(abs)) throw new InputError(`cannot find the running vfio-doctor script at ${abs}`);
  return abs;
}

function printSteps(io: Io, steps: Step[]): void {
  for (const s of steps) io.stderr(`  ${s.ok ? 'ok    ' : 'FAILED'} ${s.what}${s.message ? `: ${s.message}` : ''}\n`);
}

function wrap<T>(fn: () => Promise<T>): Promise<T> {
  return fn().catch((err: unknown) => {
    if (err instanceof InstallError || err instanceof UnitError || err instanceof KernelHookError) throw new InputError(err.message);
    throw err;
  });
}

// What install and uninstall both take: which pieces, --force, --root.
const BOOT_SNAPSHOTS = { name: 'boot-snapshots', description: `the systemd unit ${UNIT_NAME}: a snapshot saved at every boot, and a comparison with the previous boot logged to the journal` } as const satisfies OptionSpec;
const KERNEL_HOOK = { name: 'kernel-hook', description: `the kernel postinst hook ${KERNEL_HOOK_PATH}: every kernel package installed is checked with preflight before you reboot into it` } as const satisfies OptionSpec;
const ROOT = { ...ROOT_OPTION, description: 'write the files under DIR (an image or a mounted host) and run no systemctl' } as const satisfies OptionSpec;

const INSTALL_OPTIONS = [
  BOOT_SNAPSHOTS,
  { name: 'keep', value: 'N', description: 'with --boot-snapshots, how many unlabelled snapshots the unit keeps', default: String(DEFAULT_KEEP), complete: 'none' },
  { name: 'dir', value: 'DIR', description: 'with --boot-snapshots, where the unit stores the snapshots (an absolute path on the host)', default: DEFAULT_STORE_DIR, complete: 'dir' },
  { name: 'prometheus', value: 'FILE', description: "with --boot-snapshots, the unit also writes each boot's result in Prometheus text format to FILE (an absolute path, for node_exporter's textfile collector)", complete: 'file' },
  KERNEL_HOOK,
  { name: 'force', description: 'replace a unit or hook of the same name that vfio-doctor did not write, or wrote differently' },
  ROOT,
] as const;

const UNINSTALL_OPTIONS = [
  { ...BOOT_SNAPSHOTS, description: `remove the systemd unit ${UNIT_NAME} (the saved snapshots are kept)` },
  { ...KERNEL_HOOK, description: `remove the kernel postinst hook ${KERNEL_HOOK_PATH}` },
  { name: 'force', description: 'remove a unit of that name even if vfio-doctor did not write it' },
  ROOT,
] as const;

export const installCommand: Command = {
  name: 'install',
  summary: 'install the boot-snapshot unit and/or the kernel postinst hook that runs preflight',
  usage: 'vfio-doctor install [--boot-snapshots [--keep N] [--dir DIR] [--prometheus FILE]] [--kernel-hook] [--force] [--root DIR]',
  options: INSTALL_OPTIONS,
  examples: [
    { command: 'vfio-doctor install --boot-snapshots', says: 'save a snapshot at every boot and log what changed since the previous boot' },
    { command: 'vfio-doctor install --kernel-hook', says: 'check every newly installed kernel with preflight before the reboot' },
    { command: 'vfio-doctor install --boot-snapshots --keep 60 --dir /srv/vfio-snapshots', says: 'keep more snapshots, elsewhere' },
  ],
  async run(argv, io) {
    const { values } = parseCommandLine(argv, INSTALL_OPTIONS);
    if (!values['boot-snapshots'] && !values['kernel-hook']) throw new UsageError('nothing to install: name --boot-snapshots, --kernel-hook or both');
    const root = rootOption(values.root, io.cwd);
    if (values['kernel-hook']) {
      const h = await wrap(async () => installKernelHook({ root, cliPath: cliPath(), force: values.force }));
      io.stdout(`${h.action} ${h.path}${root !== undefined ? ` (under ${root})` : ''}\n`);
      io.stderr('every kernel package installed from now on is checked with "vfio-doctor preflight --kernel VERSION" before you reboot into it\n');
      if (!values['boot-snapshots']) return 0;
    }
    const keepText = values.keep ?? String(DEFAULT_KEEP);
    if (!/^\d+$/.test(keepText) || Number(keepText) < 1) throw new UsageError(`--keep ${keepText}: expected a whole number of snapshots, at least 1`);
    // The store directory as the host sees it at boot: never prefixed with --root.
    if (values.dir !== undefined && !values.dir.startsWith('/')) throw new UsageError(`--dir ${values.dir}: the unit needs an absolute path`);
    if (values.prometheus !== undefined && !values.prometheus.startsWith('/')) throw new UsageError(`--prometheus ${values.prometheus}: the unit needs an absolute path (e.g. /var/lib/prometheus/node-exporter/vfio-doctor.prom)`);
    const t = target(root);
    const r = await wrap(() => installBootSnapshots(t, { node: process.execPath, cli: isSingleExecutable() ? null : cliPath(), dir: values.dir ?? null, keep: Number(keepText), prometheus: values.prometheus ?? null }, { force: values.force }));
    io.stdout(`${r.unchanged ? 'unchanged' : 'wrote'} ${r.unitFile}\n`);
    printSteps(io, r.steps);
    if (!r.ok) {
      io.stderr(`the unit is written but not enabled; once systemd is available run: systemctl daemon-reload && systemctl enable ${UNIT_NAME}\n`);
      return 1;
    }
    if (root !== undefined) io.stderr(`files written under ${root} only (with --root no systemctl is run)\n`);
    io.stderr(
      `${root !== undefined ? 'once booted: ' : 'enabled: '}every boot saves a snapshot to ${values.dir ?? DEFAULT_STORE_DIR} (keeping ${keepText} unlabelled ones) and logs a comparison with the previous boot (journalctl -u ${UNIT_NAME}).\n` +
        'Keep a baseline before the next update: vfio-doctor snapshot --save --label baseline\n',
    );
    return 0;
  },
};

export const uninstallCommand: Command = {
  name: 'uninstall',
  summary: 'remove the boot-snapshot unit and/or the kernel hook (saved snapshots are kept)',
  usage: 'vfio-doctor uninstall [--boot-snapshots] [--kernel-hook] [--force] [--root DIR]   (neither flag: both)',
  options: UNINSTALL_OPTIONS,
  examples: [
    { command: 'vfio-doctor uninstall', says: 'remove both the boot unit and the kernel hook; saved snapshots stay' },
    { command: 'vfio-doctor uninstall --kernel-hook', says: 'remove only the kernel hook' },
  ],
  async run(argv, io) {
    const { values } = parseCommandLine(argv, UNINSTALL_OPTIONS);
    const root = rootOption(values.root, io.cwd);
    const both = !values['boot-snapshots'] && !values['kernel-hook'];
    if (values['kernel-hook'] || both) {
      const h = await wrap(async () => uninstallKernelHook({ root }));
      io.stdout(h.action === 'absent' ? `not installed: no ${h.path}\n` : `removed ${h.path}\n`);
      if (!both) return 0;
    }
    const r = await wrap(() => uninstallBootSnapshots(target(root), { force: values.force }));
    if (r.absent) {
      io.stdout(`not installed: no ${r.unitFile}\n`);
      return 0;
    }
    io.stdout(`removed ${r.unitFile}\n`);
    printSteps(io, r.steps);
    if (!r.ok) return 1;
    io.stderr(`saved snapshots are kept in ${DEFAULT_STORE_DIR} (or the --dir given at install)\n`);
    return 0;
  },
};
