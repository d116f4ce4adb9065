import { parseArgs } from 'node:util';
import type { Command } from '../cli/command.js';
import { InputError, UsageError } from '../cli/command.js';
import { collectSnapshot } from '../collect/collect.js';
import { writeFileAtomic, TargetExistsError } from '../output/atomic-write.js';
import { rootOption } from '../cli/root-option.js';

export const snapshotCommand: Command = {
  name: 'snapshot',
  summary: 'read the host into a passthrough health snapshot (JSON)',
  usage: 'vfio-doctor snapshot [--root DIR] [-o FILE] [--force]',
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        root: { type: 'string' },
        output: { type: 'string', short: 'o' },
        force: { type: 'boolean', default: false },
      },
      allowPositionals: false,
    });
    const root = rootOption(values.root, io.cwd);
    if (values.force && !values.output) throw new UsageError('--force only applies with -o FILE');
    const snapshot = await collectSnapshot({ root });
    const text = JSON.stringify(snapshot, null, 2) + '\n';
    if (!values.output || values.output === '-') {
      io.stdout(text);
      return 0;
    }
    try {
      writeFileAtomic(values.output, text, { overwrite: values.force });
    } catch (err) {
      if (err instanceof TargetExistsError) throw new InputError(err.message);
      const e = err as NodeJS.ErrnoException;
      throw new InputError(`cannot write ${values.output}: ${e.code === 'ENOENT' ? 'directory does not exist' : e.message}`);
    }
    const absent = Object.entries(snapshot.sources).filter(([, r]) => r.status !== 'read').length;
    io.stderr(`snapshot written to ${values.output} (${snapshot.pci.length} PCI functions, ${absent} sources not read: see "sources")\n`);
    return 0;
  },
};
