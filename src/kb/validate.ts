// Checks knowledge-base files and turns them into usable entries. Every problem is reported as one line
// naming the file, the entry (position and id) and the field, so whoever edits a file sees what to fix.

import { KB_LAYERS, KB_SEVERITIES, type KbEntry, type KbTest, type KbTestSpec } from './types.js';
import { parseRange } from './version.js';

export class KnowledgeBaseError extends Error {
  constructor(
    readonly file: string,
    readonly entry: string | null,
    detail: string,
  ) {
    super(`${file}: ${entry !== null ? `${entry}: ` : ''}${detail}`);
    this.name = 'KnowledgeBaseError';
  }
}

/** One knowledge-base file: its name (for messages) and its parsed JSON content. */
export interface KbSource {
  file: string;
  data: unknown;
}

const ID = /^[a-z0-9][a-z0-9.-]*$/;
const CAUSE = /^[a-z0-9][a-z0-9-]*$/;
const DEVICE_ID = /^([0-9a-f]{4}|\*):([0-9a-f]{4}|\*)$/;
const ENTRY_KEYS = new Set(['id', 'title', 'layer', 'cause', 'severity', 'signature', 'explanation', 'fix', 'references']);
const SIGNATURE_KEYS = new Set(['all', 'any', 'none', 'kernel', 'devices']);
const TEST_KEYS = new Set(['log', 'event', 'device', 'fields', 'cmdline', 'release']);
const KIND = /^[a-z0-9][a-z0-9-]*$/;

export interface ValidateOptions {
  /** Event kinds the decoder produces: an "event" test naming another kind is a typo. */
  eventKinds?: ReadonlySet<string>;
}

/** Validates every source; throws KnowledgeBaseError on the first problem. */
export function validateKnowledgeBase(sources: readonly KbSource[], opts: ValidateOptions = {}): KbEntry[] {
  const entries: KbEntry[] = [];
  const seen = new Map<string, string>();
  for (const src of sources) {
    if (!Array.isArray(src.data)) throw new KnowledgeBaseError(src.file, null, 'the file must hold a JSON array of entries');
    src.data.forEach((raw: unknown, i: number) => {
      const entry = validateEntry(src.file, i, raw, opts);
      const before = seen.get(entry.id);
      if (before !== undefined) throw new KnowledgeBaseError(src.file, label(i, entry.id), `id "${entry.id}" is already used in ${before}`);
      seen.set(entry.id, src.file);
      entries.push(entry);
    });
  }
  return entries;
}

function label(index: number, id: unknown): string {
  return typeof id === 'string' && id !== '' ? `entry ${index + 1} ("${id}")` : `entry ${index + 1}`;
}

function validateEntry(file: string, index: number, raw: unknown, opts: ValidateOptions): KbEntry {
  const fail = (detail: string, id?: unknown): never => {
    throw new KnowledgeBaseError(file, label(index, id ?? (isObject(raw) ? raw['id'] : undefined)), detail);
  };
  if (!isObject(raw)) return fail('must be an object');
  for (const k of Object.keys(raw)) if (!ENTRY_KEYS.has(k)) fail(`unknown field "${k}" (allowed: ${[...ENTRY_KEYS].join(', ')})`);
  const id = raw['id'];
  if (typeof id !== 'string' || !ID.test(id)) return fail('"id" must be lower-case letters, digits, "-" or "." (e.g. "vfio-virqfd-merged")');
  for (const k of ['title', 'explanation', 'fix'] as const) {
    const v = raw[k];
    if (typeof v !== 'string' || v.trim() === '') fail(`"${k}" must be a non-empty string`);
  }
  const layer = raw['layer'];
  if (typeof layer !== 'string' || !(KB_LAYERS as readonly string[]).includes(layer)) fail(`"layer" must be one of ${KB_LAYERS.join(', ')}`);
  const cause = raw['cause'];
  if (typeof cause !== 'string' || !CAUSE.test(cause)) fail('"cause" must be a cause name in lower-case words joined by "-"');
  const severity = raw['severity'];
  if (typeof severity !== 'string' || !(KB_SEVERITIES as readonly string[]).includes(severity)) fail(`"severity" must be one of ${KB_SEVERITIES.join(', ')}`);
  const refs = raw['references'];
  if (!Array.isArray(refs) || refs.length === 0 || !refs.every((r) => typeof r === 'string' && r.trim() !== '')) {
    fail('"references" must be a non-empty array of strings (URLs, commits, document sections)');
  }
  const sig = raw['signature'];
  if (!isObject(sig)) return fail('"signature" must be an object');
  for (const k of Object.keys(sig)) if (!SIGNATURE_KEYS.has(k)) fail(`signature: unknown field "${k}" (allowed: ${[...SIGNATURE_KEYS].join(', ')})`);
  const all = tests(sig['all'], 'signature.all', fail, opts);
  const any = tests(sig['any'], 'signature.any', fail, opts);
  const none = tests(sig['none'], 'signature.none', fail, opts);
  if (all.length === 0 && any.length === 0) fail('signature needs at least one test in "all" or "any" (a kernel range alone is no evidence)');
  let kernelRange = null;
  if (sig['kernel'] !== undefined) {
    if (typeof sig['kernel'] !== 'string') fail('signature.kernel must be a string such as ">=5.15 <6.2"');
    try {
      kernelRange = parseRange(sig['kernel'] as string);
    } catch (e) {
      fail(`signature.kernel: ${(e as Error).message}`);
    }
  }
  let devicePatterns: RegExp[] | null = null;
  if (sig['devices'] !== undefined) {
    const d = sig['devices'];
    if (!Array.isArray(d) || d.length === 0) return fail('signature.devices must be a non-empty array of "vendor:device" IDs');
    devicePatterns = d.map((p: unknown, j: number) => {
      if (typeof p !== 'string' || !DEVICE_ID.test(p.toLowerCase())) {
        return fail(`signature.devices[${j}]: "${String(p)}" is not a "vvvv:dddd" ID (4 hex digits or "*" on each side)`);
      }
      const [v, dv] = p.toLowerCase().split(':') as [string, string];
      return new RegExp(`^${v === '*' ? '[0-9a-f]{4}' : v}:${dv === '*' ? '[0-9a-f]{4}' : dv}$`);
    });
  }
  const spec = raw as unknown as KbEntry;
  return {
    id,
    title: spec.title,
    layer: spec.layer,
    cause: spec.cause,
    severity: spec.severity,
    signature: spec.signature,
    explanation: spec.explanation,
    fix: spec.fix,
    references: spec.references,
    file,
    all,
    any,
    none,
    kernelRange,
    devicePatterns,
  };
}

function tests(v: unknown, where: string, fail: (detail: string) => never, opts: ValidateOptions): KbTest[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return fail(`${where} must be an array of tests`);
  return v.map((t: unknown, i: number) => validateTest(t, `${where}[${i}]`, fail, opts));
}

function validateTest(t: unknown, where: string, fail: (detail: string) => never, opts: ValidateOptions): KbTest {
  if (!isObject(t)) return fail(`${where} must be an object such as {"log": "regex"} or {"event": "kind"}`);
  for (const k of Object.keys(t)) if (!TEST_KEYS.has(k)) fail(`${where}: unknown field "${k}" (allowed: ${[...TEST_KEYS].join(', ')})`);
  const kinds = (['log', 'event', 'cmdline', 'release'] as const).filter((k) => t[k] !== undefined);
  if (kinds.length !== 1) fail(`${where} must have exactly one of "log", "event", "cmdline", "release"`);
  if ((t['device'] !== undefined || t['fields'] !== undefined) && t['event'] === undefined) fail(`${where}: "device" and "fields" refine an "event" test only`);
  const test: KbTest = { spec: t as KbTestSpec };
  const re = (key: string, value: unknown): RegExp => {
    if (typeof value !== 'string' || value === '') return fail(`${where}.${key} must be a non-empty regular expression string`);
    try {
      return new RegExp(value);
    } catch (e) {
      return fail(`${where}.${key}: invalid regular expression /${value}/: ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')}`);
    }
  };
  if (t['log'] !== undefined) test.log = re('log', t['log']);
  if (t['cmdline'] !== undefined) test.cmdline = re('cmdline', t['cmdline']);
  if (t['release'] !== undefined) test.release = re('release', t['release']);
  if (t['event'] !== undefined) {
    if (typeof t['event'] !== 'string' || !KIND.test(t['event'])) fail(`${where}.event must be an event kind such as "dmar-dma-fault"`);
    if (opts.eventKinds && !opts.eventKinds.has(t['event'] as string)) fail(`${where}.event: "${String(t['event'])}" is not an event kind the decoder produces (see docs/knowledge-base.md)`);
    test.event = t['event'] as string;
    if (t['device'] !== undefined) test.device = re('device', t['device']);
    if (t['fields'] !== undefined) {
      const f = t['fields'];
      if (!isObject(f) || Object.keys(f).length === 0) fail(`${where}.fields must be an object of field name → regular expression`);
      test.fields = Object.entries(f as Record<string, unknown>).map(([k, v]) => [k, re(`fields.${k}`, v)]);
    }
  }
  return test;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
