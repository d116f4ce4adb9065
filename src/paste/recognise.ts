// Walks each chunk line by line and lets the recognisers claim runs of lines. The recogniser for the
// command a prompt named is asked first; the others by their order. A line nobody claims is reported as
// not understood, never dropped.
import type { Chunk, NotUnderstood, Recogniser, SectionFound } from './types.js';
import type { PasteFacts } from './facts.js';
import { RECOGNISERS } from './recognisers/index.js';

export interface RecogniseResult {
  sections: SectionFound[];
  notUnderstood: NotUnderstood[];
}

export function recogniseChunk(chunk: Chunk, facts: PasteFacts, result: RecogniseResult, recognisers: Recogniser[] = RECOGNISERS): void {
  const lines = chunk.lines;
  const ctx = { command: chunk.command, shows: chunk.shows, firstLine: lines[0]?.n ?? 1 };
  const hinted = chunk.command ? recognisers.filter((r) => r.commands?.test(chunk.command!)) : [];
  const order = [...hinted, ...recognisers.filter((r) => !hinted.includes(r))];
  let last: SectionFound | null = null;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.text.trim() === '') {
      i++;
      continue;
    }
    let taken = false;
    for (const r of order) {
      const claim = r.match(lines, i, ctx);
      if (!claim || claim.length <= 0) continue;
      const slice = lines.slice(i, i + claim.length);
      const from = slice[0]!.n;
      const to = slice[slice.length - 1]!.n;
      claim.apply(facts, { file: chunk.file, from, to, command: chunk.command }, slice);
      // Consecutive claims of one recogniser are one section (a dmesg is many one-line claims).
      if (last && last.kind === r.id && last.file === chunk.file) last.to = to;
      else {
        last = { kind: r.id, label: r.label, file: chunk.file, from, to, command: chunk.command };
        result.sections.push(last);
      }
      i += claim.length;
      taken = true;
      break;
    }
    if (!taken) {
      result.notUnderstood.push({ file: line.file, line: line.n, text: line.text });
      last = null;
      i++;
    }
  }
}

export function recogniseAll(chunks: Chunk[], facts: PasteFacts): RecogniseResult {
  const result: RecogniseResult = { sections: [], notUnderstood: [] };
  for (const c of chunks) recogniseChunk(c, facts, result);
  return result;
}

