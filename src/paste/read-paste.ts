// From pasted files to a snapshot: clean the text, cut it into chunks, let the recognisers claim the
// lines, draw the facts that sections state in passing, and build the snapshot.
import type { Origin, Snapshot } from '../snapshot/types.js';
import { PasteFacts } from './facts.js';
import { eachInputLine, type ByteBlocks } from './text.js';
import { ChunkSplitter } from './split.js';
import { recogniseChunk, type RecogniseResult } from './recognise.js';
import { deriveFromKernelLog, deriveFromTools, inferNoGroups } from './derive.js';
import { deriveVirtualFunctions } from './virtual-functions.js';
import { buildSnapshot } from './build-snapshot.js';
import type { NotUnderstood, SectionFound } from './types.js';
import { captureRanges, type CaptureRange } from './captures.js';

/** One input: its bytes in memory, or a source that reads them a block at a time (twice). */
export type PasteInput =
  | {
      /** File name as given ("-" for standard input). */
      name: string;
      bytes: Buffer;
    }
  | { name: string; source: ByteBlocks };

/** A capture of the paste older than the one judged (an earlier boot, another host): shown as "before". */
export interface EarlierCapture {
  label: string;
  file: string;
  from: number;
  to: number;
  /** Its kernel lines alone, as a snapshot of their own. */
  snapshot: Snapshot;
}

export interface PasteResult {
  /** The latest capture with everything else the paste held. */
  snapshot: Snapshot;
  /** Earlier captures of the kernel log, oldest first; empty when the paste holds one. */
  earlier: EarlierCapture[];
  sections: SectionFound[];
  notUnderstood: NotUnderstood[];
}

/**
 * Recognises the inputs into `facts`, a chunk at a time as the lines are read; returns what was found and
 * what was not understood.
 */
export function recogniseInputs(inputs: PasteInput[], facts: PasteFacts): { sections: SectionFound[]; notUnderstood: NotUnderstood[] } {
  const result: RecogniseResult = { sections: [], notUnderstood: [] };
  for (const input of inputs) {
    const splitter = new ChunkSplitter(input.name, (c) => recogniseChunk(c, facts, result));
    const source: ByteBlocks = 'bytes' in input ? { blocks: () => [input.bytes] } : input.source;
    eachInputLine(source, input.name, (l) => splitter.push(l));
    splitter.finish();
  }
  return result;
}

/** Derives the facts stated in passing and builds the snapshot. */
export async function finishSnapshot(facts: PasteFacts, origin: Origin, inWhat: string, now?: Date): Promise<Snapshot> {
  const acpi = deriveFromKernelLog(facts);
  deriveFromTools(facts);
  deriveVirtualFunctions(facts);
  const noGroups = inferNoGroups(facts);
  return buildSnapshot(facts, { origin, inWhat, acpi, noGroups, now });
}

/** Earlier captures judged one by one; older ones are judged together, so a paste of a log that rebooted a
 * hundred times costs a few analyses, not a hundred, and every line is still judged. */
const EARLIER_JUDGED_ALONE = 3;

function boundedEarlier(caps: CaptureRange[]): CaptureRange[] {
  if (caps.length <= EARLIER_JUDGED_ALONE) return caps;
  const old = caps.slice(0, caps.length - EARLIER_JUDGED_ALONE);
  const at = new Int32Array(old.reduce((n, c) => n + c.at.length, 0));
  let k = 0;
  for (const c of old) {
    at.set(c.at, k);
    k += c.at.length;
  }
  const label = `${old.length} earlier captures judged together (${old[0]!.label} to ${old[old.length - 1]!.label})`;
  return [{ label, at }, ...caps.slice(-EARLIER_JUDGED_ALONE)];
}

export async function readPaste(inputs: PasteInput[], opts: { now?: Date } = {}): Promise<PasteResult> {
  const facts = new PasteFacts();
  const { sections, notUnderstood } = recogniseInputs(inputs, facts);
  const origin = { kind: 'paste' as const, files: inputs.map((i) => i.name) };
  const all = facts.kernelLines;
  const captures = captureRanges(all);
  const earlier: EarlierCapture[] = [];
  if (captures.length > 1) {
    // The verdict follows the latest capture; the others are judged alone from their own lines.
    facts.kernelLines = all.select(captures[captures.length - 1]!.at);
    for (const c of boundedEarlier(captures.slice(0, -1))) {
      const alone = new PasteFacts();
      alone.kernelLines = all.select(c.at);
      const lines = alone.kernelLines;
      const last = lines.length - 1;
      alone.note('kernel-log', `${lines.file(0)}:${lines.lineNumber(0)}-${lines.lineNumber(last)}`);
      earlier.push({ label: c.label, file: lines.file(0), from: lines.lineNumber(0), to: lines.lineNumber(last), snapshot: await finishSnapshot(alone, origin, 'this capture', opts.now) });
    }
  }
  const snapshot = await finishSnapshot(facts, origin, 'the pasted input', opts.now);
  return { snapshot, earlier, sections, notUnderstood };
}
