// The JSON Schemas of the --json outputs (schema/*.schema.json): valid under Ajv's strict mode, named and
// versioned as the code prints them, listed in docs/json-output.md, shipped in the npm package, strict
// enough that a real mistake fails, and met by what every command prints, header first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { repoRoot } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp.js';
import { assertValidOutput, parseValidated, type JsonOutputName } from '../helpers/json-output.js';
import { buildHost } from '../fixtures/host-builder.js';
import { HOSTS } from '../fixtures/hosts.js';
import { JSON_OUTPUT_VERSIONS, schemaId, type JsonOutputKind } from '../../src/output/json-header.js';
import { JSON_OUTPUT_SCHEMAS } from '../../src/output/generated/json-output-validators.js';
import { SCHEMA_VERSION } from '../../src/snapshot/types.js';
import { VERSION } from '../../src/version.js';
import { CLOSED_VOCABULARY } from '../../src/render/redact.js';

interface Schema {
  $schema?: string;
  $id?: string;
  properties?: Record<string, { const?: unknown }>;
  oneOf?: { $ref: string }[];
  $defs?: Record<string, Schema>;
}

const schemaDir = path.join(repoRoot, 'schema');
const files = fs.readdirSync(schemaDir).filter((f) => f.endsWith('.schema.json')).sort();
const kindOf = (file: string) => file.slice(0, -'.schema.json'.length);
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(schemaDir, file), 'utf8')) as Schema;
const outputKinds = Object.keys(JSON_OUTPUT_VERSIONS) as JsonOutputKind[];

/** The shapes a schema allows at the top: itself, or each branch of a top-level oneOf (preflight). */
function topShapes(s: Schema): Schema[] {
  return s.oneOf ? s.oneOf.map((r) => s.$defs![r.$ref.replace('#/$defs/', '')]!) : [s];
}

test('every schema compiles under Ajv strict mode (draft 2020-12), and each output has one', () => {
  assert.deepEqual(files.map(kindOf), [...outputKinds, 'snapshot'].sort());
  assert.deepEqual([...JSON_OUTPUT_SCHEMAS].sort(), [...outputKinds].sort(), 'the build generates a validator for every output schema');
  for (const file of files) {
    const s = read(file);
    assert.equal(s.$schema, 'https://json-schema.org/draft/2020-12/schema', file);
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T/);
    assert.doesNotThrow(() => ajv.compile(s), file);
  }
});

test('the $id and schemaVersion of each schema are the ones the code prints', () => {
  for (const kind of outputKinds) {
    const s = read(`${kind}.schema.json`);
    const version = JSON_OUTPUT_VERSIONS[kind];
    assert.equal(s.$id, schemaId(kind, version), kind);
    for (const shape of topShapes(s)) {
      assert.deepEqual(Object.keys(shape.properties ?? {}).slice(0, 3), ['schemaVersion', '$schema', 'tool'], `${kind}: the header keys come first`);
      assert.equal(shape.properties!['schemaVersion']!.const, version, kind);
      assert.equal(shape.properties!['$schema']!.const, s.$id, kind);
    }
  }
  const snapshot = read('snapshot.schema.json');
  assert.equal(snapshot.$id, schemaId('snapshot', SCHEMA_VERSION));
});

test('docs/json-output.md names every schema with its version and every top-level field', () => {
  const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'json-output.md'), 'utf8');
  for (const file of files) {
    assert.ok(doc.includes(`schema/${file}`), `docs/json-output.md does not link schema/${file}`);
    const kind = kindOf(file);
    const version = kind === 'snapshot' ? SCHEMA_VERSION : JSON_OUTPUT_VERSIONS[kind as JsonOutputKind];
    assert.ok(doc.includes(schemaId(kind as JsonOutputKind, version)), `docs/json-output.md does not give the $id of schema/${file}`);
    if (kind === 'snapshot') continue;
    const section = doc.split(/^## /m).find((s) => s.split('\n')[0]!.includes(`schema/${file}`)) ?? '';
    assert.ok(section, `docs/json-output.md has no section headed with schema/${file}`);
    for (const shape of topShapes(read(file))) {
      for (const key of Object.keys(shape.properties ?? {})) assert.ok(section.includes(`\`${key}\``), `docs/json-output.md: the ${kind} section does not describe \`${key}\``);
    }
  }
  assert.match(fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8'), /docs\/json-output\.md/, 'the README links the page');
  const snapshotDoc = fs.readFileSync(path.join(repoRoot, 'docs', 'snapshot.md'), 'utf8');
  assert.ok(snapshotDoc.includes(schemaId('snapshot', SCHEMA_VERSION)), 'docs/snapshot.md gives the current snapshot $id');
  assert.doesNotMatch(snapshotDoc, new RegExp(`snapshot-(?!${SCHEMA_VERSION}\\.json)\\d+\\.json`), 'docs/snapshot.md names no other snapshot $id');
});

test('the npm package ships schema/', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { files: string[] };
  assert.ok(pkg.files.includes('schema'), JSON.stringify(pkg.files));
});

const LOG = [
  '[    0.000000] Linux version 6.8.12-4-pve (build@proxmox) #1 SMP',
  '[    0.010000] DMAR: IOMMU enabled',
  '[    0.310000] pci 0000:01:00.0: Adding to iommu group 12',
  '[    9.100000] vfio-pci 0000:01:00.0: BAR 1: can\'t reserve [mem 0xe0000000-0xefffffff 64bit pref]',
  '',
].join('\n');

test('every command prints schemaVersion, $schema and tool first, and fits its schema', async (t) => {
  const dir = tempDir('json-outputs', t);
  const root = await buildHost(HOSTS.intelDesktop, path.join(dir, 'host'));
  const snap = path.join(dir, 'snap.json');
  assert.equal((await runCli(['snapshot', '--root', root, '-o', snap])).code, 0);
  fs.writeFileSync(path.join(dir, 'paste.txt'), LOG);
  const runs: [JsonOutputName, string[], string?][] = [
    ['report', ['check', '--root', root, '--json']],
    ['report', ['check', '--snapshot', snap, '--json', '--redact']],
    ['report', ['analyze', path.join(dir, 'paste.txt'), '--json']],
    ['preflight', ['preflight', '--root', root, '--json']],
    ['diff', ['diff', snap, snap, '--json']],
    ['decode', ['decode', '--json'], LOG],
    ['fleet', ['fleet', snap, '--json']],
  ];
  for (const [kind, args, stdin] of runs) {
    const r = await runCli(args, stdin === undefined ? {} : { stdin });
    assert.ok(r.code === 0 || r.code === 1, `${args.join(' ')}: ${r.stderr}`);
    const doc = parseValidated(kind, r.stdout, args.join(' ')) as unknown as Record<string, unknown>;
    assert.deepEqual(Object.keys(doc).slice(0, 3), ['schemaVersion', '$schema', 'tool'], args.join(' '));
    // The schema lists the keys in the order they are printed, so it reads like the output.
    const shape = topShapes(read(`${kind}.schema.json`)).find((x) => Object.keys(doc).every((k) => k in x.properties!))!;
    assert.deepEqual(Object.keys(doc), Object.keys(shape.properties!).filter((k) => k in doc), `${args.join(' ')}: key order`);
    assert.equal(doc['schemaVersion'], JSON_OUTPUT_VERSIONS[kind as JsonOutputKind]);
    assert.deepEqual(doc['tool'], { name: 'vfio-doctor', version: VERSION });
  }
  const s = parseValidated('snapshot', fs.readFileSync(snap, 'utf8'));
  assert.equal(Object.keys(s)[0], 'schemaVersion', 'the snapshot too starts with its schemaVersion');
});

test('check --json of every fixture host fits the report schema, plain and --redact', async (t) => {
  const dir = tempDir('json-hosts', t);
  for (const [name, spec] of Object.entries(HOSTS)) {
    const root = await buildHost(spec, path.join(dir, name));
    for (const extra of [[], ['--redact']]) {
      const args = ['check', '--root', root, '--json', ...extra];
      const r = await runCli(args);
      assert.ok(r.code === 0 || r.code === 1, `${name}: ${r.stderr}`);
      parseValidated('report', r.stdout, `${name}: ${args.slice(3).join(' ')}`);
    }
  }
});

test('--redact never replaces a word of a closed vocabulary: a host named "fedora" keeps host.family "fedora"', async (t) => {
  // Every enum field of the report and snapshot schemas, with its values: the redactor's table holds them all.
  const enums = new Map<string, Set<string>>();
  for (const file of ['report.schema.json', 'snapshot.schema.json']) {
    const s = read(file);
    const values = (node: any): string[] | null => {
      if (!node || typeof node !== 'object') return null;
      if (Array.isArray(node.enum)) return node.enum.filter((v: unknown) => typeof v === 'string');
      if (typeof node.const === 'string') return [node.const];
      if (typeof node.$ref === 'string') return values(s.$defs![node.$ref.replace('#/$defs/', '')]);
      const choice = node.anyOf ?? node.oneOf;
      if (!Array.isArray(choice)) return null;
      const each: (string[] | null)[] = choice.map((c: any) => (c.type === 'null' ? [] : values(c)));
      return each.some((e) => e === null) ? null : (each as string[][]).flat();
    };
    const walk = (node: any): void => {
      if (!node || typeof node !== 'object') return;
      for (const [name, prop] of Object.entries((node.properties ?? {}) as Record<string, unknown>)) {
        const v = values(prop);
        if (v && name !== '$schema') for (const x of v) (enums.get(name) ?? enums.set(name, new Set()).get(name)!).add(x);
      }
      for (const v of Object.values(node)) walk(v);
    };
    walk(s);
  }
  for (const [name, values] of enums) assert.deepEqual([...(CLOSED_VOCABULARY[name] ?? [])].sort(), [...values].sort(), `CLOSED_VOCABULARY.${name}`);

  const dir = tempDir('json-redact', t);
  const root = await buildHost(HOSTS.nonRootCapture, path.join(dir, 'host'));
  const plain = parseValidated('report', (await runCli(['check', '--root', root, '--json'])).stdout);
  assert.equal(plain.host.hostname, 'fedora', 'the fixture host is named like its distribution');
  assert.equal(plain.host.family, 'fedora');
  const redacted = parseValidated('report', (await runCli(['check', '--root', root, '--json', '--redact'])).stdout);
  assert.equal(redacted.host.hostname, '<host-1>');
  assert.equal(redacted.host.family, 'fedora');
  const file = path.join(dir, 'redacted.json');
  const snap = await runCli(['snapshot', '--root', root, '--redact', '-o', file]);
  assert.equal(snap.code, 0, snap.stderr);
  const s = parseValidated('snapshot', fs.readFileSync(file, 'utf8'));
  assert.equal(s.host.hostname, '<host-1>');
  assert.equal(s.host.osRelease?.family, 'fedora');
  const again = await runCli(['check', '--snapshot', file, '--json']);
  assert.ok(again.code === 0 || again.code === 1, `a redacted snapshot loads again: ${again.stderr}`);
});

/** A deep copy with one change made by `edit`. */
function changed<T>(doc: T, edit: (d: any) => void): unknown {
  const copy = JSON.parse(JSON.stringify(doc));
  edit(copy);
  return copy;
}

test('the schemas catch real mistakes: a misspelt layer, a missing key, an unknown key, another version', async (t) => {
  const root = await buildHost(HOSTS.intelDesktop, path.join(tempDir('json-mistakes', t), 'host'));
  const report = parseValidated('report', (await runCli(['check', '--root', root, '--json'])).stdout);
  assert.ok(report.findings.length > 0, 'the fixture host has findings to break');
  const mistakes: [string, unknown][] = [
    ['a layer that is not one of the seven', changed(report, (d) => (d.findings[0].layer = 'kernal'))],
    ['a verdict status outside its enum', changed(report, (d) => (d.verdict.status = 'ok'))],
    ['a severity outside its enum', changed(report, (d) => (d.findings[0].severity = 'error'))],
    ['a cause that is not a cause name', changed(report, (d) => (d.findings[0].cause = 'Host driver bound'))],
    ['a missing verdict', changed(report, (d) => delete d.verdict)],
    ['a finding without its decision', changed(report, (d) => delete d.findings[0].decision)],
    ['an unknown key on a finding', changed(report, (d) => (d.findings[0].fix = 'x'))],
    ['a diff-only key on a check finding', changed(report, (d) => (d.findings[0].kind = 'regression'))],
    ['a target that is not a PCI address', changed(report, (d) => (d.targets = [{ address: '01:00.0', role: 'target', reasons: [], companionOf: null }]))],
    ['another schemaVersion', changed(report, (d) => (d.schemaVersion = 2))],
    ['another kind of document', changed(report, (d) => (d.$schema = schemaId('diff', 1)))],
    ['a trusted finding that names a broken earlier layer', changed(report, (d) => Object.assign(d.findings[0], { trusted: true, untrustedUntil: 'firmware' }))],
    ['an untrusted finding that names no layer', changed(report, (d) => Object.assign(d.findings[0], { trusted: false, untrustedUntil: null }))],
  ];
  for (const [what, doc] of mistakes) assert.throws(() => assertValidOutput('report', doc), /does not match schema\/report\.schema\.json/, what);

  const change = { id: 'driver-changed', layer: 'binding', kind: 'regression', cause: 'host-driver-bound', severity: 'fail', subject: '0000:01:00.0', title: 'driver vfio-pci → nouveau', evidence: [{ what: 'driver in use', before: 'vfio-pci', after: 'nouveau' }], decision: '', commands: [], trusted: true, untrustedUntil: null };
  const side = { file: 'a.json', label: null, collectedAt: '2026-11-24T10:15:00.000Z', hostname: 'pve1', kernelRelease: '6.8.12-4-pve', bootId: null };
  const diff = { schemaVersion: 1, $schema: schemaId('diff', 1), tool: { name: 'vfio-doctor', version: VERSION }, before: side, after: side, changes: [change], counts: { regression: 1, improvement: 0, neutral: 0 }, firstRegressionLayer: 'binding', notes: [] };
  assertValidOutput('diff', diff);
  const diffMistakes: [string, unknown][] = [
    ['a regression that does not fail', changed(diff, (d) => (d.changes[0].severity = 'info'))],
    ['a change without its kind', changed(diff, (d) => delete d.changes[0].kind)],
    ['check-style evidence in a diff', changed(diff, (d) => (d.changes[0].evidence = [{ source: '/proc/cmdline', text: 'x' }]))],
    ['a collectedAt that is no date-time', changed(diff, (d) => (d.before.collectedAt = 'yesterday'))],
  ];
  for (const [what, doc] of diffMistakes) assert.throws(() => assertValidOutput('diff', doc), /does not match schema\/diff\.schema\.json/, what);

  const preflight = { schemaVersion: 1, $schema: schemaId('preflight', 1), tool: { name: 'vfio-doctor', version: VERSION }, running: '6.8.0', kernel: null, verdict: 'nothing-to-check', message: 'only one kernel' };
  assertValidOutput('preflight', preflight);
  assert.throws(() => assertValidOutput('preflight', { ...preflight, verdict: 'pass' }), /preflight/, 'a pass verdict needs the whole prediction');
});
