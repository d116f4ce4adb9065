// Loading the knowledge base: the entries built into vfio-doctor (kb/*.json, bundled at build time) and
// optional extra directories of the same files (VFIO_DOCTOR_KB, --kb), read at run time.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { RULES } from '../log/events/index.js';
import { BUILTIN_KB_FILES } from './builtin.js';
import type { KbEntry } from './types.js';
import { KnowledgeBaseError, type KbSource, validateKnowledgeBase } from './validate.js';

/** Kinds produced only by the multi-line joiner, on top of every rule's kind. */
const EXTRA_KINDS = ['amd-vi-event-start'];

export function eventKinds(): ReadonlySet<string> {
  return new Set([...RULES.map((r) => r.kind), ...EXTRA_KINDS]);
}

let builtin: KbEntry[] | null = null;

/** The entries shipped with vfio-doctor (validated once). */
export function builtinKnowledgeBase(): KbEntry[] {
  builtin ??= validateKnowledgeBase(BUILTIN_KB_FILES, { eventKinds: eventKinds() });
  return builtin;
}

/** Reads every *.json file of a directory (sorted by name), or one file. */
export function readKnowledgeBaseSources(dirOrFile: string): KbSource[] {
  let files: string[];
  try {
    files = statSync(dirOrFile).isDirectory()
      ? readdirSync(dirOrFile)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => path.join(dirOrFile, f))
      : [dirOrFile];
  } catch (e) {
    throw new KnowledgeBaseError(dirOrFile, null, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new KnowledgeBaseError(file, null, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      return { file, data: JSON.parse(text) as unknown };
    } catch (e) {
      throw new KnowledgeBaseError(file, null, `not valid JSON: ${(e as Error).message}`);
    }
  });
}

/**
 * The built-in entries plus those of `extraDirs` (directories or files). An extra entry whose id is a
 * built-in one is an error: ids must stay unique so that reports and scripts can rely on them.
 */
export function loadKnowledgeBase(extraDirs: readonly string[] = []): KbEntry[] {
  if (extraDirs.length === 0) return builtinKnowledgeBase();
  const sources = [...BUILTIN_KB_FILES, ...extraDirs.flatMap((d) => readKnowledgeBaseSources(d))];
  return validateKnowledgeBase(sources, { eventKinds: eventKinds() });
}

/** Extra knowledge-base directories named by the environment (VFIO_DOCTOR_KB, ":"-separated). */
export function knowledgeBaseDirsFromEnv(env: Record<string, string | undefined>): string[] {
  return (env['VFIO_DOCTOR_KB'] ?? '').split(':').filter((d) => d !== '');
}
