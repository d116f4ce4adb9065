// Runs pasted text through the recognisers the way `vfio-doctor analyze` does, for the table tests.
import { PasteFacts } from '../../src/paste/facts.js';
import { recogniseInputs, readPaste } from '../../src/paste/read-paste.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import type { NotUnderstood, SectionFound } from '../../src/paste/types.js';

export interface Recognised {
  facts: PasteFacts;
  sections: SectionFound[];
  notUnderstood: NotUnderstood[];
  kinds: string[];
}

/** Recognises one paste; a command puts a "$ command" prompt line in front of it. */
export function recognise(text: string, command?: string): Recognised {
  const facts = new PasteFacts();
  const body = command ? `$ ${command}\n${text}` : text;
  const { sections, notUnderstood } = recogniseInputs([{ name: 'paste.txt', bytes: Buffer.from(body) }], facts);
  return { facts, sections, notUnderstood, kinds: [...new Set(sections.map((s) => s.kind))] };
}

export async function snapshotOf(text: string): Promise<Snapshot> {
  return (await readPaste([{ name: 'paste.txt', bytes: Buffer.from(text) }])).snapshot;
}
