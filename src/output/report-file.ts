import path from 'node:path';
import { InputError } from '../cli/command.js';
import { AtomicWriteError, TargetExistsError, writeFileAtomic } from './atomic-write.js';

/**
 * Writes a report file the user named (--html, --prometheus, policy init -o), atomically. `replace` is
 * for files that exist to be refreshed (node_exporter's textfile collector reads the newest); anything
 * else is never overwritten.
 */
export function writeReportFile(file: string, text: string, cwd: string, opts: { replace: boolean }): void {
  try {
    writeFileAtomic(path.resolve(cwd, file), text, { overwrite: opts.replace, mode: 0o644 });
  } catch (err) {
    if (err instanceof TargetExistsError) throw new InputError(`${file} already exists; it is not overwritten (remove it or write elsewhere)`);
    if (err instanceof AtomicWriteError) throw new InputError(err.message.replace(path.resolve(cwd, file), file));
    throw err;
  }
}
