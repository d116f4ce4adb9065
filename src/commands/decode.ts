// vfio-doctor decode [FILE|-] [--json] [--kb DIR]...
// Reads a kernel log in any common format (dmesg, dmesg -T, journalctl -k, kern.log, JSON), decodes every
// IOMMU/VFIO/PCI passthrough line, groups the events by device and lists the known problems that match.

import fs from 'node:fs';
import { InputReadError, MAX_INPUT_BYTES, openInputFile } from '../io/read-input.js';
import path from 'node:path';
import { parseCommandLine } from '../cli/options.js';
import { JSON_OPTION, QUIET_OPTION } from '../cli/common-options.js';
import { progressSink } from '../cli/progress-sink.js';
import { withProgress } from '../progress/terminal.js';
import { InputError, UsageError, type Command } from '../cli/command.js';
import { knowledgeBaseDirsFromEnv, loadKnowledgeBase } from '../kb/load.js';
import type { KbEntry } from '../kb/types.js';
import { KnowledgeBaseError } from '../kb/validate.js';
import { buildDecodeReport } from '../log/decode-report.js';
import { renderDecodeText } from '../log/decode-text.js';
import { scanKernelLog, sectionFromScan } from '../log/relevant.js';
import { scanLogFile } from '../log/split-scan.js';
import type { KernelLogSection } from '../snapshot/types.js';
import { printText } from '../cli/print-text.js';

const OPTIONS = [
  JSON_OPTION,
  { name: 'kb', value: 'DIR', multiple: true, description: "also match the knowledge-base entries (*.json) in DIR; VFIO_DOCTOR_KB (a :-separated list of directories) adds more", default: 'the built-in knowledge base only', complete: 'dir' },
  QUIET_OPTION,
] as const;

export const decodeCommand: Command = {
  name: 'decode',
  summary: 'decode the IOMMU/VFIO lines of a kernel log, by device, and match known regressions',
  usage: 'vfio-doctor decode [FILE|-] [--json] [--kb DIR]... [--quiet]',
  options: OPTIONS,
  positionals: [{ name: 'FILE', description: 'a kernel log (dmesg, journalctl -k, kern.log, a serial console capture); - or nothing reads standard input', complete: 'file' }],
  examples: [
    { command: 'dmesg | vfio-doctor decode', says: "decode this boot's IOMMU and VFIO messages, grouped by device" },
    { command: 'vfio-doctor decode /var/log/kern.log --json', says: 'decode a saved log, as JSON' },
    { command: 'vfio-doctor decode --kb /etc/vfio-doctor/kb boot.log', says: "match your site's own knowledge-base entries too" },
  ],
  async run(argv, io) {
    const { values, positionals } = parseCommandLine(argv, OPTIONS, { positionals: true });
    if (positionals.length > 1) throw new UsageError(`one log file at most (got ${positionals.length})`);
    const kb = knowledgeBase([...knowledgeBaseDirsFromEnv(io.env), ...(values.kb ?? []).map((d) => path.resolve(io.cwd, d))]);
    const file = positionals[0];
    const section = await withProgress(progressSink(io, values), `scanning ${file === undefined || file === '-' ? 'standard input' : file}`, () => readLog(file, io));
    const report = buildDecodeReport(section, kb);
    if (values.json) io.stdout(JSON.stringify(report, null, 2) + '\n');
    else printText(io, renderDecodeText(report));
    return 0;
  },
};

function knowledgeBase(dirs: string[]): KbEntry[] {
  try {
    return loadKnowledgeBase(dirs);
  } catch (e) {
    if (e instanceof KnowledgeBaseError) throw new InputError(`knowledge base: ${e.message}`);
    throw e;
  }
}

async function readLog(file: string | undefined, io: Parameters<Command['run']>[1]): Promise<KernelLogSection> {
  let input: Buffer | { fd: number };
  let from: string;
  if (file === undefined || file === '-') {
    input = await io.readStdin(MAX_INPUT_BYTES);
    from = 'standard input';
  } else {
    from = file;
    const local = path.resolve(io.cwd, file);
    if (fs.statSync(local, { throwIfNoEntry: false })?.isDirectory()) throw new InputError(`${file}: is a directory, not a log file`);
    // Only a regular file is opened (a named FIFO would block here forever); a file is streamed, so
    // its size does not matter.
    try {
      input = { fd: openInputFile(file, local, { streamHint: 'to decode a stream, pipe it: ... | vfio-doctor decode -' }).fd };
    } catch (e) {
      if (e instanceof InputReadError) throw new InputError(`${file}: cannot read: ${e.message.slice(file.length + 2)}`);
      throw e;
    }
  }
  let result;
  try {
    result = Buffer.isBuffer(input) ? await scanKernelLog(input) : await scanLogFile(input.fd);
  } catch (e) {
    throw new InputError(`${from}: cannot read: ${describe(e)}`);
  } finally {
    if (!Buffer.isBuffer(input)) fs.closeSync(input.fd);
  }
  const { stats } = result;
  // A log of binary garbage: say so instead of printing "nothing found".
  if (stats.totalLines > 0 && stats.binaryLines * 2 > stats.totalLines) {
    throw new InputError(`${from}: not a text log (${stats.binaryLines} of ${stats.totalLines} lines hold NUL bytes or invalid UTF-8)`);
  }
  return sectionFromScan(result, 'file', from);
}

function describe(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return err.code ?? err.message ?? String(e);
  }
}
