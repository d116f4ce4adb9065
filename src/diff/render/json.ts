import { VERSION } from '../../version.js';
import type { DiffReport } from '../types.js';
import { findingJson } from '../../render/finding.js';

/** The --json shape of diff: the report as built, under the tool's name and version. */
export function diffJson(r: DiffReport): unknown {
  return { tool: { name: 'vfio-doctor', version: VERSION }, ...r, changes: r.changes.map(findingJson) };
}
