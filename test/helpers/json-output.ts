// Every JSON document a command prints, checked against its schema in schema/ before a test reads it: a
// test that parses a command's output does it through parseValidated, so a field the schema does not
// describe, or a value outside its enum, fails the test that produced it.
import assert from 'node:assert/strict';
import * as outputs from '../../src/output/generated/json-output-validators.js';
import { validateSchema as snapshotValidator } from '../../src/snapshot/generated/snapshot-validator.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import type { ReportJson } from '../../src/render/json-report.js';
import type { PreflightJson, PreflightNothingJson } from '../../src/preflight/render.js';
import type { DiffJson } from '../../src/diff/render/json.js';
import type { DecodeReport } from '../../src/log/decode-report.js';
import type { FleetJson } from '../../src/fleet/render-json.js';

/** What each schema describes, as the TypeScript types of the code that builds it. */
export interface JsonOutputs {
  report: ReportJson;
  preflight: PreflightJson | PreflightNothingJson;
  diff: DiffJson;
  decode: DecodeReport;
  fleet: FleetJson;
  snapshot: Snapshot;
}

export type JsonOutputName = keyof JsonOutputs;

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

const VALIDATORS: Record<JsonOutputName, Validator> = {
  report: outputs.report,
  preflight: outputs.preflight,
  diff: outputs.diff,
  decode: outputs.decode,
  fleet: outputs.fleet,
  snapshot: snapshotValidator as Validator,
};

function describe(errors: AjvError[] | null | undefined, limit = 12): string {
  const list = errors ?? [];
  const lines = list.slice(0, limit).map((e) => `  ${e.instancePath || '/'}: ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
  if (list.length > limit) lines.push(`  ... and ${list.length - limit} more`);
  return lines.join('\n');
}

/** Asserts that an already parsed document fits the schema of `name`, and returns it typed. */
export function assertValidOutput<K extends JsonOutputName>(name: K, doc: unknown, what = `${name} JSON`): JsonOutputs[K] {
  const validate = VALIDATORS[name];
  assert.ok(validate(doc), `${what} does not match schema/${name}.schema.json:\n${describe(validate.errors)}`);
  return doc as JsonOutputs[K];
}

/** Parses a command's JSON output and asserts that it fits the schema of `name`. */
export function parseValidated<K extends JsonOutputName>(name: K, stdout: string, what?: string): JsonOutputs[K] {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch (e) {
    assert.fail(`${what ?? `${name} output`} is not JSON (${(e as Error).message}): ${stdout.slice(0, 200)}`);
  }
  return assertValidOutput(name, doc, what);
}
