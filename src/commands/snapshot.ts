import type { Command } from '../cli/command.js';
import { InputError, UsageError } from '../cli/command.js';
import { collectSnapshot } from '../collect/collect.js';
import { AtomicWriteError, writeFileAtomic, TargetExistsError } from '../output/atomic-write.js';
import { rootOption } from '../cli/root-option.js';
import { parseCommandLine } from '../cli/options.js';
import { QUIET_OPTION, REDACT_OPTION, ROOT_OPTION, STORE_DIR_OPTION } from '../cli/common-options.js';
import { progressSink } from '../cli/progress-sink.js';
import { printNote } from '../cli/print-text.js';
import { withProgress } from '../progress/terminal.js';
import { redactorFor } from '../render/redact.js';
import { saveSnapshot, storeDir, StoreError } from '../store/store.js';

function keepOption(value: string | undefined): number | null {
  if (value === undefined) return null;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--keep ${value}: expected a whole number of snapshots, at least 1`);
  return Number(value);
}

const OPTIONS = [
  ROOT_OPTION,
  { name: 'output', short: 'o', value: 'FILE', description: 'write the snapshot to FILE (never over an existing file without --force); - is standard output', default: 'standard output', complete: 'file' },
  { name: 'force', description: 'with -o, replace FILE if it exists' },
  REDACT_OPTION,
  { name: 'save', description: 'store the snapshot in the snapshot store, named by time, kernel and boot, for diff --last and --baseline' },
  { ...STORE_DIR_OPTION, description: 'with --save, the snapshot store directory' },
  { name: 'label', value: 'TEXT', description: 'with --save, a label to find this snapshot by later (diff --baseline TEXT); labelled snapshots are never pruned', complete: 'none' },
  { name: 'keep', value: 'N', description: 'with --save, keep only the newest N unlabelled snapshots in the store', default: 'keep them all', complete: 'none' },
  QUIET_OPTION,
] as const;

export const snapshotCommand: Command = {
  name: 'snapshot',
  summary: 'read the host into a passthrough health snapshot (JSON)',
  usage: 'vfio-doctor snapshot [--root DIR] [-o FILE] [--force] [--redact] [--quiet] | snapshot --save [--dir DIR] [--label TEXT] [--keep N] [--root DIR] [--quiet]',
  options: OPTIONS,
  examples: [
    { command: 'vfio-doctor snapshot -o pve1.json', says: 'capture this host for a later check --snapshot, or for someone else to look at' },
    { command: 'vfio-doctor snapshot --save --label baseline', says: 'keep a known-good state before an update, for diff --baseline baseline' },
    { command: 'vfio-doctor snapshot --root /mnt/capture', says: 'read a copied host tree instead of this host' },
  ],
  async run(argv, io) {
    const { values } = parseCommandLine(argv, OPTIONS);
    const root = rootOption(values.root, io.cwd);
    if (values.force && !values.output) throw new UsageError('--force only applies with -o FILE');
    if (values.save && values.redact) throw new UsageError('--redact applies to a snapshot printed or written with -o, not to the store (diff needs the real values)');
    if (values.save && values.output) throw new UsageError('--save and -o exclude each other (--save names the file itself)');
    if (!values.save && (values.dir !== undefined || values.label !== undefined || values.keep !== undefined)) throw new UsageError('--dir, --label and --keep only apply with --save');
    if (values.label !== undefined && values.label.trim() === '') throw new UsageError('--label needs a non-empty text');
    const keep = keepOption(values.keep);
    // The snapshot is JSON, but meant for a file: the progress line (stderr, a terminal only) does not touch it.
    const snapshot = await withProgress(progressSink(io, values), root === undefined ? 'reading this host' : `reading the host under ${values.root}`, () => collectSnapshot({ root }));
    if (values.save) {
      // Under --root the default store is inside that tree, like every other path.
      const dir = storeDir({ dir: values.dir, root, cwd: io.cwd });
      let saved;
      try {
        saved = saveSnapshot(snapshot, {
          dir,
          label: values.label ?? null,
          keep,
          // Printed while the store is locked: no concurrent save can prune it before it is reported.
          onSaved: (r) => io.stdout(`${r.file}\n`),
        });
      } catch (err) {
        if (err instanceof StoreError) throw new InputError(err.message);
        throw err;
      }
      const removed = saved.removed.length ? `; removed ${saved.removed.length} older snapshot${saved.removed.length > 1 ? 's' : ''} beyond --keep ${keep}` : '';
      printNote(io, `snapshot saved (${snapshot.pci.length} PCI functions${removed})\n`);
      if (saved.pruneError !== null) {
        // The snapshot is safe (its path is on stdout); the store is over its --keep, which needs a person.
        io.stderr(`vfio-doctor snapshot: --keep ${keep} could not prune the store: ${saved.pruneError}\n`);
        return 2;
      }
      return 0;
    }
    const text = JSON.stringify(values.redact ? redactorFor(snapshot).json(snapshot) : snapshot, null, 2) + '\n';
    if (!values.output || values.output === '-') {
      io.stdout(text);
      return 0;
    }
    try {
      writeFileAtomic(values.output, text, { overwrite: values.force });
    } catch (err) {
      if (err instanceof TargetExistsError || err instanceof AtomicWriteError) throw new InputError(err.message);
      throw err;
    }
    const absent = Object.entries(snapshot.sources).filter(([, r]) => r.status !== 'read').length;
    printNote(io, `snapshot written to ${values.output} (${snapshot.pci.length} PCI functions, ${absent} sources not read: see "sources")\n`);
    return 0;
  },
};
