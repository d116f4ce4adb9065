// From pasted files to a snapshot: clean the text, cut it into chunks, let the recognisers claim the
// lines, draw the facts that sections state in passing, and build the snapshot.
import type { Origin, Snapshot } from '../snapshot/types.js';
import { PasteFacts } from './facts.js';
import { inputLines } from './text.js';
import { splitChunks } from './split.js';
import { recogniseAll } from './recognise.js';
import { deriveFromKernelLog, deriveFromTools, inferNoGroups } from './derive.js';
import { deriveVirtualFunctions } from './virtual-functions.js';
import { buildSnapshot } from './build-snapshot.js';
import type { Chunk, NotUnderstood, SectionFound } from './types.js';
import { splitCaptures, type KernelCapture } from './captures.js';

export interface PasteInput {
  /** File name as given ("-" for standard input). */
  name: string;
  bytes: Buffer;
}

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

/** Recognises the chunks into `facts`; returns what was found and what was not understood. */
export function recogniseInputs(inputs: PasteInput[], facts: PasteFacts): { sections: SectionFound[]; notUnderstood: NotUnderstood[] } {
  const chunks: Chunk[] = [];
  for (const input of inputs) for (const c of splitChunks(inputLines(input.bytes, input.name)).chunks) chunks.push(c);
  return recogniseAll(chunks, facts);
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

function boundedEarlier(caps: KernelCapture[]): KernelCapture[] {
  if (caps.length <= EARLIER_JUDGED_ALONE) return caps;
  const old = caps.slice(0, caps.length - EARLIER_JUDGED_ALONE);
  const lines: KernelCapture['lines'] = [];
  for (const c of old) for (const l of c.lines) lines.push(l);
  const label = `${old.length} earlier captures judged together (${old[0]!.label} to ${old[old.length - 1]!.label})`;
  return [{ label, lines }, ...caps.slice(-EARLIER_JUDGED_ALONE)];
}

export async function readPaste(inputs: PasteInput[], opts: { now?: Date } = {}): Promise<PasteResult> {
  const facts = new PasteFacts();
  const { sections, notUnderstood } = recogniseInputs(inputs, facts);
  const origin = { kind: 'paste' as const, files: inputs.map((i) => i.name) };
  const captures = splitCaptures(facts.kernelLines);
  const earlier: EarlierCapture[] = [];
  if (captures.length > 1) {
    // The verdict follows the latest capture; the others are judged alone from their own lines. Lines are
    // copied one by one: a capture can hold millions, more than a spread call's arguments may.
    facts.kernelLines.length = 0;
    for (const l of captures[captures.length - 1]!.lines) facts.kernelLines.push(l);
    for (const c of boundedEarlier(captures.slice(0, -1))) {
      const alone = new PasteFacts();
      for (const l of c.lines) alone.kernelLines.push(l);
      alone.note('kernel-log', `${c.lines[0]!.file}:${c.lines[0]!.n}-${c.lines[c.lines.length - 1]!.n}`);
      const first = c.lines[0]!;
      const last = c.lines[c.lines.length - 1]!;
      earlier.push({ label: c.label, file: first.file, from: first.n, to: last.n, snapshot: await finishSnapshot(alone, origin, 'this capture', opts.now) });
    }
  }
  const snapshot = await finishSnapshot(facts, origin, 'the pasted input', opts.now);
  return { snapshot, earlier, sections, notUnderstood };
}
