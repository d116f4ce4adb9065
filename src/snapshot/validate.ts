// Run-time check of a loaded snapshot against schema/snapshot.schema.json, through the validation code
// the build generates from the schema (scripts/gen-validator.mjs), so analysis never meets a field of the
// wrong type. A failure is one line naming the field path.
import { SCHEMA_VERSION, type Snapshot } from './types.js';
import { READABLE_VERSIONS, upgradeSnapshot } from './upgrade.js';
import { snapshotSchemaErrors } from './generated/snapshot-validator.js';

export class SnapshotLoadError extends Error {}

/** One error as the generated code reports it (ajv's shape, messages left to describeError). */
export interface SchemaError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
}

export interface SchemaValidator {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

const decode = (seg: string) => seg.replace(/~1/g, '/').replace(/~0/g, '~');

function segments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map(decode);
}

/** pci[3].iommuGroup, sources['proc/cmdline'].status */
function fieldPath(segs: string[]): string {
  let out = '';
  for (const s of segs) {
    if (/^\d+$/.test(s)) out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `['${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
  }
  return out;
}

function valueAt(doc: unknown, segs: string[]): unknown {
  let cur = doc;
  for (const s of segs) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[s] : undefined;
  return cur;
}

function found(v: unknown): string {
  const kind = v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v === 'string' ? 'a string' : typeof v === 'number' ? (Number.isInteger(v) ? 'an integer' : 'a number') : `a ${typeof v}`;
  if (v === null || typeof v === 'object') return kind;
  const text = JSON.stringify(v);
  return `${kind} ${text.length > 40 ? `${text.slice(0, 37)}...` : text}`;
}

const article = (t: string) => (t === 'null' ? 'null' : `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`);

function orList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** Where an error points, counting the property it names (a missing or unknown field). */
function target(e: SchemaError): string[] {
  const segs = segments(e.instancePath);
  if (e.keyword === 'required') return [...segs, String(e.params['missingProperty'])];
  if (e.keyword === 'additionalProperties') return [...segs, String(e.params['additionalProperty'])];
  return segs;
}

/** The error to tell: the deepest one, unless it sits inside a choice of shapes (oneOf), which is then told as a whole. */
function pick(errors: SchemaError[]): { error: SchemaError; types: string[] } {
  const depth = (e: SchemaError) => target(e).length;
  const deepest = Math.max(...errors.map(depth));
  const at = errors.filter((e) => depth(e) === deepest);
  // A key of a map that breaks its pattern is told as the key, not as the map's value.
  const key = at.find((e) => e.keyword === 'propertyNames');
  if (key) return { error: key, types: [] };
  const chosen = at.find((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf' && e.keyword !== 'type') ?? at.find((e) => e.keyword === 'type') ?? at[0]!;
  const oneOf = errors.find((e) => e.keyword === 'oneOf' && chosen.instancePath.startsWith(e.instancePath));
  if (oneOf) return { error: oneOf, types: [] };
  // A nullable field reports "not an object" and "not null" separately: one message names both.
  const types = chosen.keyword === 'type' ? [...new Set(at.filter((e) => e.keyword === 'type' && e.instancePath === chosen.instancePath).flatMap((e) => ([] as string[]).concat(e.params['type'] as string | string[])))] : [];
  return { error: chosen, types };
}

/** One line for the first schema violation of `doc`. */
export function describeSchemaError(doc: unknown, errors: SchemaError[]): string {
  if (errors.length === 0) return 'does not match the snapshot schema';
  const { error: e, types } = pick(errors);
  const segs = target(e);
  const name = segs.length ? `field "${fieldPath(segs)}"` : 'the document';
  const v = valueAt(doc, segments(e.instancePath));
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return `${name} is missing`;
    case 'additionalProperties':
      return `${name} is not part of a schemaVersion ${SCHEMA_VERSION} snapshot`;
    case 'type':
      return `${name} must be ${orList(types.map((t) => article(t === 'integer' ? 'whole number' : t)))} (found ${found(v)})`;
    case 'const':
      return `${name} must be ${JSON.stringify(p['allowedValue'])} (found ${found(v)})`;
    case 'enum':
      return `${name} must be one of ${(p['allowedValues'] as unknown[]).map((x) => JSON.stringify(x)).join(', ')} (found ${found(v)})`;
    case 'pattern':
      return `${name} does not have the expected form ${String(p['pattern'])} (found ${found(v)})`;
    case 'format':
      return `${name} is not ${article(String(p['format']))} (found ${found(v)})`;
    case 'minimum':
      return `${name} must be at least ${String(p['limit'])} (found ${found(v)})`;
    case 'propertyNames':
      return `${name} has a key that is not allowed: ${JSON.stringify(p['propertyName'])}`;
    case 'oneOf':
    case 'anyOf':
      return `${name} matches none of the forms allowed there`;
    default:
      return `${name} fails the schema's "${e.keyword}" rule`;
  }
}

/**
 * A parsed JSON document as a snapshot of the current layout: refused when it is not one or of a version
 * this release cannot read, upgraded when it is of an earlier one, and checked against the schema.
 */
export function validateSnapshot(data: unknown, where: string): Snapshot {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new SnapshotLoadError(`${where}: not a vfio-doctor snapshot (expected a JSON object)`);
  const o = data as Record<string, unknown>;
  const tool = o['tool'];
  if (o['schemaVersion'] === undefined || typeof tool !== 'object' || tool === null || (tool as { name?: unknown }).name !== 'vfio-doctor') {
    throw new SnapshotLoadError(`${where}: not a vfio-doctor snapshot (no schemaVersion / tool.name)`);
  }
  const version = o['schemaVersion'];
  if (typeof version !== 'number' || !Number.isInteger(version)) throw new SnapshotLoadError(`${where}: field "schemaVersion" must be a whole number (found ${found(version)})`);
  if (version !== SCHEMA_VERSION && !READABLE_VERSIONS.includes(version)) {
    const written = (tool as { version?: unknown }).version;
    throw new SnapshotLoadError(
      `${where}: snapshot schemaVersion ${version} is not supported (this vfio-doctor reads schemaVersion ${Math.min(...READABLE_VERSIONS, SCHEMA_VERSION)} to ${SCHEMA_VERSION}; it was written by vfio-doctor ${typeof written === 'string' ? written : '?'})`,
    );
  }
  const doc = upgradeSnapshot(o, SCHEMA_VERSION);
  const errors = snapshotSchemaErrors(doc);
  if (errors) {
    const from = version !== SCHEMA_VERSION ? ` (a schemaVersion ${version} snapshot, upgraded on load)` : '';
    throw new SnapshotLoadError(`${where}: ${describeSchemaError(doc, errors)}${from}`);
  }
  return doc as unknown as Snapshot;
}
