import type { DiffReport } from '../types.js';
import { findingJson, type FindingJson } from '../../render/finding.js';
import { jsonHeader, type JsonHeader } from '../../output/json-header.js';

/** The --json shape of diff (schema/diff.schema.json): the report as built, its changes printed as every finding is. */
export type DiffJson = JsonHeader<'diff'> & Omit<DiffReport, 'changes'> & { changes: FindingJson[] };

export function diffJson(r: DiffReport): DiffJson {
  return { ...jsonHeader('diff'), ...r, changes: r.changes.map(findingJson) };
}
