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

export interface PasteInput {
  /** File name as given ("-" for standard input). */
  name: string;
  bytes: Buffer;
}

export interface PasteResult {
  snapshot: Snapshot;
  sections: SectionFound[];
  notUnderstood: NotUnderstood[];
}

/** Recognises the chunks into `facts`; returns what was found and what was not understood. */
export function recogniseInputs(inputs: PasteInput[], facts: PasteFacts): { sections: SectionFound[]; notUnderstood: NotUnderstood[] } {
  const chunks: Chunk[] = [];
  for (const input of inputs) chunks.push(...splitChunks(inputLines(input.bytes, input.name)).chunks);
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

export async function readPaste(inputs: PasteInput[], opts: { now?: Date } = {}): Promise<PasteResult> {
  const facts = new PasteFacts();
  const { sections, notUnderstood } = recogniseInputs(inputs, facts);
  const snapshot = await finishSnapshot(facts, { kind: 'paste', files: inputs.map((i) => i.name) }, 'the pasted input', opts.now);
  return { snapshot, sections, notUnderstood };
}
