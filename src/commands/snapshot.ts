import { parseArgs } from 'node:util';
import type { Command } from '../cli/command.js';
import { InputError, UsageError } from '../cli/command.js';
import { collectSnapshot } from '../collect/collect.js';
import { AtomicWriteError, writeFileAtomic, TargetExistsError } from '../output/atomic-write.js';
import { rootOption } from '../cli/root-option.js';
import { saveSnapshot, storeDir, StoreError } from '../store/store.js';

function keepOption(value: string | undefined): number | null {
  if (value === undefined) return null;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--keep ${value}: expected a whole number of snapshots, at least 1`);
  return Number(value);
}

export const snapshotCommand: Command = {
  name: 'snapshot',
  summary: 'read the host into a passthrough health snapshot (JSON)',
  usage: 'vfio-doctor snapshot [--root DIR] [-o FILE] [--force] | snapshot --save [--dir DIR] [--label TEXT] [--keep N] [--root DIR]',
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        root: { type: 'string' },
        output: { type: 'string', short: 'o' },
        force: { type: 'boolean', default: false },
        save: { type: 'boolean', default: false },
        dir: { type: 'string' },
        label: { type: 'string' },
        keep: { type: 'string' },
      },
      allowPositionals: false,
    });
    const root = rootOption(values.root, io.cwd);
    if (values.force && !values.output) throw new UsageError('--force only applies with -o FILE');
    if (values.save && values.output) throw new UsageError('--save and -o exclude each other (--save names the file itself)');
    if (!values.save && (values.dir !== undefined || values.label !== undefined || values.keep !== undefined)) throw new UsageError('--dir, --label and --keep only apply with --save');
    if (values.label !== undefined && values.label.trim() === '') throw new UsageError('--label needs a non-empty text');
    const keep = keepOption(values.keep);
    const snapshot = await collectSnapshot({ root });
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
      io.stderr(`snapshot saved (${snapshot.pci.length} PCI functions${removed})\n`);
      if (saved.pruneError !== null) {
        // The snapshot is safe (its path is on stdout); the store is over its --keep, which needs a person.
        io.stderr(`vfio-doctor snapshot: --keep ${keep} could not prune the store: ${saved.pruneError}\n`);
        return 2;
      }
      return 0;
    }
    const text = JSON.stringify(snapshot, null, 2) + '\n';
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
    io.stderr(`snapshot written to ${values.output} (${snapshot.pci.length} PCI functions, ${absent} sources not read: see "sources")\n`);
    return 0;
  },
};
