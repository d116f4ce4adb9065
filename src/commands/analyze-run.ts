// What `vfio-doctor analyze` does once its command line is read: the inputs read, the paste analysed and
// the report printed. It runs on the main thread, or for a large input on a worker (analyze.ts decides).
import fs from 'node:fs';
import path from 'node:path';
import { redactorFor } from '../render/redact.js';
import type { Io } from '../cli/command.js';
import { InputError } from '../cli/command.js';
import { jsonReport } from '../render/json-report.js';
import { htmlReport } from '../render/html.js';
import { writeReportFile } from '../output/report-file.js';
import { renderTextReport } from '../render/text-report.js';
import { colourWanted, makeStyle, type ColourChoice, type Style } from '../render/style.js';
import { readPaste, type PasteInput } from '../paste/read-paste.js';
import { looksBinary, PasteInputError, type ByteBlocks } from '../paste/text.js';
import { InputReadError, MAX_INPUT_BYTES, openInputFile, tooLarge } from '../io/read-input.js';
import { fsErrorText } from '../output/fs-error-text.js';
import { analyzeCaptured } from '../paste/targets.js';
import { focusOnVm } from '../hypervisor/vms.js';
import type { NotUnderstood, SectionFound } from '../paste/types.js';
import { printText } from '../cli/print-text.js';
import { HANG, unbroken } from '../render/wrap.js';
import type { Verdict } from '../analyze/verdict.js';

// The first block read of a named file, to refuse binary data at once (as io/read-input.ts sniffs).
const SNIFF_BYTES = 64 * 1024;
const BINARY = 'binary data, not command output (expected text such as lspci, dmesg or a log)';

const BLOCK_BYTES = 1 << 20;

/**
 * A named file's blocks, read afresh each time they are asked for: a paste is analysed as it is read and
 * never held whole (the reader goes over it twice). At most maxBytes, as when it was read whole.
 */
function fileBlocks(name: string, file: string): ByteBlocks {
  return {
    *blocks() {
      const { fd } = openInputFile(name, file);
      try {
        const buf = Buffer.allocUnsafe(BLOCK_BYTES);
        let total = 0;
        for (;;) {
          let n: number;
          try {
            n = fs.readSync(fd, buf, 0, buf.length, null);
          } catch (err) {
            throw new InputReadError(`${name}: cannot read: ${fsErrorText(err)}`);
          }
          if (n <= 0) break;
          total += n;
          if (total > MAX_INPUT_BYTES) throw tooLarge(name, MAX_INPUT_BYTES);
          yield buf.subarray(0, n);
        }
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

async function readInput(name: string, io: Io): Promise<PasteInput> {
  if (name === '-') return { name: '-', bytes: await io.readStdin(MAX_INPUT_BYTES) };
  const file = path.resolve(io.cwd, name);
  if (fs.statSync(file, { throwIfNoEntry: false })?.isDirectory()) {
    throw new InputError(`${name}: is a directory (for a sosreport directory use "vfio-doctor check --sos ${name}")`);
  }
  // A named FIFO or device is refused rather than read forever; a stream goes through standard input. Only
  // the first block is read here, to refuse what is not text before anything else is done.
  const { fd, size } = openInputFile(name, file, { streamHint: `to analyse a stream, pipe it: ... | vfio-doctor analyze -` });
  try {
    if (size > MAX_INPUT_BYTES) throw tooLarge(name, MAX_INPUT_BYTES);
    const head = Buffer.allocUnsafe(SNIFF_BYTES);
    let n: number;
    try {
      n = fs.readSync(fd, head, 0, head.length, null);
    } catch (err) {
      throw new InputReadError(`${name}: cannot read: ${fsErrorText(err)}`);
    }
    if (n > 0 && looksBinary(head.subarray(0, n))) throw new InputReadError(`${name}: ${BINARY}`);
  } finally {
    fs.closeSync(fd);
  }
  return { name, source: fileBlocks(name, file) };
}

function sectionLines(sections: SectionFound[], st: Style): string[] {
  if (sections.length === 0) return [st.bold('Sections found') + ': none'];
  const out = [st.bold(`Sections found (${sections.length})`)];
  for (const s of sections) {
    const range = s.from === s.to ? `${s.from}` : `${s.from}-${s.to}`;
    out.push(`  ${s.file}:${range}  ${HANG}${s.label}${s.command ? st.dim(`  (${unbroken(`$ ${s.command}`)})`) : ''}`);
  }
  return out;
}

/** Earlier captures (a previous boot, another host): their verdicts, apart from the one judged. */
function beforeLines(before: { label: string; file: string; from: number; to: number; verdict: Verdict }[], st: Style): string[] {
  if (before.length === 0) return [];
  const out = [st.bold(`Earlier captures in the input (${before.length}): shown as before; the verdict above is the latest capture's`)];
  for (const b of before) {
    const v = b.verdict;
    const said = v.status === 'broken' || v.status === 'warning' ? `${v.status} at ${v.layer} (${v.cause})` : v.status === 'undetermined' ? `undetermined${v.layer ? ` (${v.layer})` : ''}` : 'healthy';
    out.push(`  before: ${HANG}${b.label} (${b.file}:${b.from}-${b.to}): ${said}`);
  }
  out.push('');
  return out;
}

function notUnderstoodLines(items: NotUnderstood[], st: Style): string[] {
  if (items.length === 0) return [];
  const out = [st.bold(`Not understood (${items.length} lines): read by no recogniser, so they did not count`)];
  for (const n of items.slice(0, 200)) out.push(`  not understood: ${HANG}${n.file}:${n.line}: ${n.text.length > 160 ? n.text.slice(0, 157) + '...' : n.text}`);
  if (items.length > 200) out.push(`  ... and ${items.length - 200} more (all are in --json)`);
  return out;
}

/** What analyze was asked, its command line read and checked by analyze.ts (on the main thread). */
export interface AnalyzeRequest {
  files: string[];
  devices: string[];
  ids: string[];
  vm?: string;
  html?: string;
  json: boolean;
  colour: ColourChoice;
  redact: boolean;
}

/** The analysis on whichever thread runs it; returns the verdict's status (analyze.ts makes it the exit code). */
export async function runAnalyze(req: AnalyzeRequest, io: Io): Promise<Verdict['status']> {
  const { devices, ids } = req;
  const inputs: PasteInput[] = [];
  for (const p of req.files) inputs.push(await readInput(p, io));
  let result;
  try {
    result = await readPaste(inputs);
  } catch (err) {
    if (err instanceof PasteInputError) throw new InputError(err.message);
    throw err;
  }
  const { sections, notUnderstood } = result;
  // Earlier captures are judged first and only their verdicts kept: their snapshots (each with its own
  // kernel log) are not held while the latest is analysed and printed.
  const before = result.earlier.map((c) => ({ label: c.label, file: c.file, from: c.from, to: c.to, verdict: analyzeCaptured(c.snapshot).verdict }));
  result.earlier.length = 0;
  let snapshot = result.snapshot;
  if (req.vm !== undefined) {
    const focused = focusOnVm(snapshot, req.vm);
    if (!focused.ok) throw new InputError(`--vm ${req.vm}: no such VM in the input; VMs found: ${focused.known.join(', ') || 'none'}`);
    snapshot = focused.snap;
  }
  const report = analyzeCaptured(snapshot, { devices, ids });
  const shown = req.redact ? redactorFor(snapshot) : null;
  const out = (s: string) => (shown ? shown.text(s) : s);
  if (req.html !== undefined) writeReportFile(req.html, out(htmlReport(snapshot, report)), io.cwd, { replace: false });
  if (req.json) {
    const earlierCaptures = before.map((b) => ({ label: b.label, file: b.file, from: b.from, to: b.to, verdict: { status: b.verdict.status, layer: b.verdict.layer, cause: b.verdict.cause, subject: b.verdict.subject } }));
    const doc = { ...jsonReport(snapshot, report), sectionsFound: sections, notUnderstood, earlierCaptures };
    io.stdout(JSON.stringify(shown ? shown.json(doc) : doc, null, 2) + '\n');
  } else {
    const st = makeStyle(colourWanted(io.isTty, io.env, req.colour));
    const text = renderTextReport(snapshot, report, st).replace('vfio-doctor check —', 'vfio-doctor analyze —');
    printText(io, out([text.trimEnd(), '', ...beforeLines(before, st), ...sectionLines(sections, st), '', ...notUnderstoodLines(notUnderstood, st), ''].join('\n')));
  }
  return report.verdict.status;
}
