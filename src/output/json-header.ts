// The first keys of every JSON document vfio-doctor prints (except the snapshot, whose layout is older and
// carries its own schemaVersion): which layout it is, where its JSON Schema is, and who wrote it. A script
// checks schemaVersion before reading anything else; docs/json-output.md says what a version promises.
import { VERSION } from '../version.js';

/** The layout version of each JSON output. Bumped only for a change an old reader would misread. */
export const JSON_OUTPUT_VERSIONS = {
  report: 1,
  preflight: 1,
  diff: 1,
  decode: 1,
  fleet: 1,
} as const;

export type JsonOutputKind = keyof typeof JSON_OUTPUT_VERSIONS;

/** The $id of a JSON Schema in schema/: the same spelling as the snapshot's. */
export function schemaId(kind: JsonOutputKind | 'snapshot', version: number): string {
  return `https://vfio-doctor.dev/schema/${kind}-${version}.json`;
}

export interface JsonHeader<K extends JsonOutputKind> {
  schemaVersion: (typeof JSON_OUTPUT_VERSIONS)[K];
  $schema: string;
  tool: { name: 'vfio-doctor'; version: string };
}

export function jsonHeader<K extends JsonOutputKind>(kind: K): JsonHeader<K> {
  const schemaVersion = JSON_OUTPUT_VERSIONS[kind];
  return { schemaVersion, $schema: schemaId(kind, schemaVersion), tool: { name: 'vfio-doctor', version: VERSION } };
}
