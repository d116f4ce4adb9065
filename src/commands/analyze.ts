// `vfio-doctor analyze`: the command as the CLI lists it, and the thread its analysis runs on.
//
// A large paste is analysed on a worker thread whose young generation is small and whose old generation
// has a limit that keeps V8 from letting it grow to several times what is live. The main thread cannot be
// given either (the sizes are fixed when Node starts, and a CLI run as `node dist/vfio-doctor.mjs` passes
// no node flags), and on it the peak of a 50 MB paste was a full 32 MB young generation and old space ~4x
// the live heap. A small input stays on the main thread: starting a worker costs ~60-90 ms.
import fs from 'node:fs';
import path from 'node:path';
import type { ResourceLimits } from 'node:worker_threads';
import { parseCommandLine } from '../cli/options.js';
import { COLOR_OPTION, colourChoice, DEVICE_OPTION, HTML_OPTION, IDS_OPTION, JSON_OPTION, REDACT_OPTION, STRICT_OPTION } from '../cli/common-options.js';
import { InputError, UsageError, type Command, type Io } from '../cli/command.js';
import { fullFunctionAddress } from '../pci/address.js';
import type { Verdict } from '../analyze/verdict.js';
import { exitCodeFor } from './check.js';
import { runAnalyze, type AnalyzeRequest } from './analyze-run.js';
import { analyzeInWorker } from './analyze-in-worker.js';

const MiB = 1024 * 1024;

/** Named files of at least this many bytes together are analysed on a worker. */
const WORKER_FROM_BYTES = 16 * MiB;

/**
 * For the tests: VFIO_DOCTOR_ANALYZE_WORKER_BYTES=N moves the threshold to N bytes (0: every run of named
 * files on a worker), so that both paths can be run on the same small inputs and compared.
 */
const THRESHOLD_ENV = 'VFIO_DOCTOR_ANALYZE_WORKER_BYTES';

// Measured on the bench's 50 MB paste (peak RSS of the whole process, median of 2): a young generation of
// 2 / 4 / 8 MB gave 130 / 131 / 138 MB, CPU within the noise of the default's (the paste's lines live as
// long as their chunk, so they reach old space either way). With no old-space limit V8 sizes the worker's
// heap by the machine's memory and lets old space grow further before collecting: ~17 MB more at the peak
// than with a 256 MB limit (1 GB: +3 MB). The limit is not what the analysis needs (~24 MB live for
// that paste) but 4x the input at least, and a worker that runs out of it is replaced by the main thread.
const YOUNG_GENERATION_MB = 4;
const MIN_OLD_GENERATION_MB = 256;
const OLD_GENERATION_PER_INPUT_BYTE = 4;

/** The named files' total size when the run should be on a worker; null to stay on this thread. */
function workerInputBytes(files: string[], io: Io): number | null {
  const knob = io.env[THRESHOLD_ENV];
  const threshold = knob !== undefined && /^\d+$/.test(knob) ? Number(knob) : WORKER_FROM_BYTES;
  let total = 0;
  for (const p of files) {
    // Standard input is read by this thread's Io; whatever is not a plain file is refused on this thread.
    if (p === '-') return null;
    const st = fs.statSync(path.resolve(io.cwd, p), { throwIfNoEntry: false });
    if (!st?.isFile()) return null;
    total += st.size;
  }
  return total >= threshold ? total : null;
}

export function analyzeLimits(inputBytes: number): ResourceLimits {
  const oldMb = Math.max(MIN_OLD_GENERATION_MB, Math.ceil((OLD_GENERATION_PER_INPUT_BYTE * inputBytes) / MiB));
  return { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, maxOldGenerationSizeMb: oldMb };
}

const ANALYZE_OPTIONS = [
  DEVICE_OPTION,
  IDS_OPTION,
  { name: 'vm', value: 'NAME|VMID', description: 'judge only the devices of this VM of the input (a libvirt domain name, a Proxmox VE VMID, a QEMU -name)', default: 'every VM the input defines', complete: 'none' },
  HTML_OPTION,
  JSON_OPTION,
  COLOR_OPTION,
  STRICT_OPTION,
  REDACT_OPTION,
] as const;

function parseRequest(argv: string[]): { request: AnalyzeRequest; strict: boolean } {
  const { values, positionals } = parseCommandLine(argv, ANALYZE_OPTIONS, { positionals: true });
  const colour = colourChoice(values.color);
  if (positionals.length === 0) throw new UsageError('name at least one file of pasted output, or - to read standard input');
  for (const d of values.device ?? []) if (!fullFunctionAddress(d)) throw new UsageError(`--device ${d}: not a PCI address (expected 0000:01:00.0 or 01:00.0)`);
  const ids = (values.ids ?? []).flatMap((s) => s.split(',')).filter(Boolean);
  for (const i of ids) if (!/^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$/.test(i)) throw new UsageError(`--ids ${i}: expected VVVV:DDDD (hex vendor and device id)`);
  const request = { files: positionals, devices: values.device ?? [], ids, vm: values.vm, html: values.html, json: values.json ?? false, colour, redact: values.redact ?? false };
  return { request, strict: values.strict ?? false };
}

async function runOnWorker(request: AnalyzeRequest, io: Io, inputBytes: number): Promise<Verdict['status']> {
  const job = { request, env: { ...io.env }, isTty: io.isTty, columns: io.columns, cwd: io.cwd };
  const r = await analyzeInWorker(job, analyzeLimits(inputBytes));
  // A worker out of its heap (a paste unlike any measured) or unable to start: the same work here.
  if (!r.ran) return runAnalyze(request, io);
  for (const p of r.printed) io[p.stream](p.text);
  if ('status' in r) return r.status;
  const { kind, message, stack } = r.failed;
  if (kind === 'usage') throw new UsageError(message);
  if (kind === 'input') throw new InputError(message);
  const err = new Error(message);
  if (stack !== undefined) err.stack = stack;
  throw err;
}

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'diagnose from captured text: pasted command output, logs and error messages (files or - for stdin)',
  usage: 'vfio-doctor analyze FILE... [--device ADDR]... [--ids VVVV:DDDD]... [--vm NAME|VMID] [--html FILE] [--json] [--strict] [--redact]',
  options: ANALYZE_OPTIONS,
  positionals: [{ name: 'FILE...', description: 'files of pasted output: command output (lspci, dmesg, ls -l /dev/vfio, ...), logs and error messages, in any order; - reads standard input', complete: 'file' }],
  examples: [
    { command: 'vfio-doctor analyze forum-post.txt', says: 'diagnose from the output someone posted' },
    { command: 'dmesg | vfio-doctor analyze - lspci-nnk.txt', says: 'combine a log from standard input with a saved lspci -nnk' },
    { command: 'vfio-doctor analyze --device 0a:00.0 --json paste.txt', says: 'judge one device of the paste, as JSON' },
  ],
  async run(argv, io) {
    const { request, strict } = parseRequest(argv);
    const bytes = workerInputBytes(request.files, io);
    return exitCodeFor(bytes === null ? await runAnalyze(request, io) : await runOnWorker(request, io, bytes), strict);
  },
};
