// Checks catalogue files and compiles their patterns. A problem is one line naming the file, the entry
// and the field, like the knowledge base's checks (src/kb/validate.ts).
import { LAYERS, type Layer } from '../analyze/layers.js';
import { CAUSES, isKnownCause } from '../analyze/causes.js';
import { ERRNO } from '../log/tables/errno.js';
import { CATALOGUE_ORIGINS, type CatalogueEntry, type CatalogueEntrySpec, type ErrnoVariant } from './types.js';

export class CatalogueError extends Error {
  constructor(file: string, entry: string | null, detail: string) {
    super(`${file}: ${entry !== null ? `${entry}: ` : ''}${detail}`);
    this.name = 'CatalogueError';
  }
}

export interface CatalogueSource {
  file: string;
  data: unknown;
}

const ID = /^[a-z0-9][a-z0-9-]*$/;
const KEYS = new Set([
  'id', 'origin', 'printedBy', 'anchors', 'match', 'example', 'layer', 'cause', 'severity',
  'proves', 'notProves', 'settles', 'errno', 'fix', 'harmless',
]);
const TEXT_KEYS = ['printedBy', 'example', 'proves', 'notProves', 'fix'] as const;
const SEVERITIES = ['fail', 'warn', 'info'];
const ERRNO_NAMES = new Set(Object.values(ERRNO).map(([name]) => name));

export function validateCatalogue(sources: readonly CatalogueSource[]): CatalogueEntry[] {
  const out: CatalogueEntry[] = [];
  const seen = new Map<string, string>();
  for (const src of sources) {
    if (!Array.isArray(src.data)) throw new CatalogueError(src.file, null, 'the file must hold a JSON array of entries');
    src.data.forEach((raw: unknown, i: number) => {
      const e = validateEntry(src.file, i, raw);
      const before = seen.get(e.id);
      if (before !== undefined) throw new CatalogueError(src.file, `entry ${i + 1} ("${e.id}")`, `id is already used in ${before}`);
      seen.set(e.id, src.file);
      out.push(e);
    });
  }
  return out;
}

function validateEntry(file: string, index: number, raw: unknown): CatalogueEntry {
  const rec = isObject(raw) ? raw : null;
  const label = typeof rec?.['id'] === 'string' ? `entry ${index + 1} ("${rec['id']}")` : `entry ${index + 1}`;
  const fail = (detail: string): never => {
    throw new CatalogueError(file, label, detail);
  };
  if (!rec) return fail('must be an object');
  for (const k of Object.keys(rec)) if (!KEYS.has(k)) fail(`unknown field "${k}"`);
  if (typeof rec['id'] !== 'string' || !ID.test(rec['id'])) fail('"id" must be lower-case words joined by "-"');
  if (!(CATALOGUE_ORIGINS as readonly unknown[]).includes(rec['origin'])) fail(`"origin" must be one of ${CATALOGUE_ORIGINS.join(', ')}`);
  for (const k of TEXT_KEYS) if (typeof rec[k] !== 'string' || (rec[k] as string).trim() === '') fail(`"${k}" must be a non-empty string`);
  if (!isLayer(rec['layer'])) fail(`"layer" must be one of ${LAYERS.join(', ')}`);
  const anchors = rec['anchors'];
  if (!Array.isArray(anchors) || anchors.length === 0 || !anchors.every((a) => typeof a === 'string' && a !== '' && a === a.toLowerCase())) {
    fail('"anchors" must be a non-empty array of lower-case literal strings');
  }
  const match = rec['match'];
  if (!Array.isArray(match) || match.length === 0) return fail('"match" must be a non-empty array of regular expressions');
  const patterns = match.map((m: unknown, j: number) => {
    if (typeof m !== 'string' || m === '') return fail(`match[${j}] must be a non-empty string`);
    try {
      return new RegExp(m, 'i');
    } catch (err) {
      return fail(`match[${j}]: ${(err as Error).message}`);
    }
  });
  const harmless = rec['harmless'];
  if (harmless !== undefined && (typeof harmless !== 'string' || harmless.trim() === '')) fail('"harmless" must say why the message needs no finding');
  if (harmless === undefined) {
    if (typeof rec['cause'] !== 'string' || !isKnownCause(rec['cause'])) fail('"cause" must be a known cause (src/analyze/causes.ts) unless the entry is harmless');
    if (!SEVERITIES.includes(rec['severity'] as string)) fail(`"severity" must be one of ${SEVERITIES.join(', ')} unless the entry is harmless`);
    if (CAUSES[rec['cause'] as string]!.layer !== rec['layer']) fail(`"cause" ${String(rec['cause'])} is a ${CAUSES[rec['cause'] as string]!.layer} cause, not a ${String(rec['layer'])} one`);
  }
  const settles = rec['settles'];
  if (settles !== undefined && (!Array.isArray(settles) || !settles.every(isLayer))) fail('"settles" must be an array of layers');
  const errno = rec['errno'];
  if (errno !== undefined) {
    if (!isObject(errno)) return fail('"errno" must be an object: errno name → {layer, cause, severity, meaning}');
    for (const [name, v] of Object.entries(errno)) validateVariant(name, v, fail);
  }
  const spec = rec as unknown as CatalogueEntrySpec;
  return { ...spec, file, patterns };
}

function validateVariant(name: string, v: unknown, fail: (detail: string) => never): ErrnoVariant {
  if (!ERRNO_NAMES.has(name)) fail(`errno.${name}: not an errno name vfio-doctor knows (src/log/tables/errno.ts)`);
  if (!isObject(v)) return fail(`errno.${name} must be an object`);
  if (!isLayer(v['layer'])) fail(`errno.${name}.layer must be a layer`);
  if (typeof v['cause'] !== 'string' || !isKnownCause(v['cause'])) fail(`errno.${name}.cause must be a known cause`);
  if (!SEVERITIES.includes(v['severity'] as string)) fail(`errno.${name}.severity must be one of ${SEVERITIES.join(', ')}`);
  if (typeof v['meaning'] !== 'string' || v['meaning'].trim() === '') fail(`errno.${name}.meaning must be a non-empty string`);
  if (CAUSES[v['cause'] as string]!.layer !== v['layer']) fail(`errno.${name}.cause ${String(v['cause'])} is a ${CAUSES[v['cause'] as string]!.layer} cause, not a ${String(v['layer'])} one`);
  return v as unknown as ErrnoVariant;
}

function isLayer(v: unknown): v is Layer {
  return (LAYERS as readonly unknown[]).includes(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
