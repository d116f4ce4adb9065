// The knowledge base as shipped, and the one-line errors for malformed entries.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { BUILTIN_KB_FILES } from '../../src/kb/builtin.js';
import { builtinKnowledgeBase, eventKinds, loadKnowledgeBase, readKnowledgeBaseSources } from '../../src/kb/load.js';
import { KnowledgeBaseError, validateKnowledgeBase } from '../../src/kb/validate.js';

const GOOD = {
  id: 'my-entry',
  title: 'A title',
  layer: 'device',
  cause: 'dma-fault',
  severity: 'warning',
  signature: { any: [{ event: 'dmar-dma-fault' }] },
  explanation: 'Why.',
  fix: 'What to do.',
  references: ['https://example.org/report'],
};

test('the built-in knowledge base loads: at least 20 entries, unique ids, every file listed', () => {
  const entries = builtinKnowledgeBase();
  assert.ok(entries.length >= 20, `only ${entries.length} entries`);
  assert.equal(new Set(entries.map((e) => e.id)).size, entries.length);
  const onDisk = readdirSync(path.join(repoRoot, 'kb'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => `kb/${f}`)
    .sort();
  assert.deepEqual(BUILTIN_KB_FILES.map((s) => s.file).sort(), onDisk, 'every kb/*.json file must be imported in src/kb/builtin.ts');
  for (const src of BUILTIN_KB_FILES) {
    assert.deepEqual(JSON.parse(readFileSync(path.join(repoRoot, src.file), 'utf8')), src.data, `${src.file} differs from the built copy`);
  }
});

test('the regressions the issue names are all covered', () => {
  const ids = new Set(builtinKnowledgeBase().map((e) => e.id));
  for (const id of [
    'vfio-virqfd-merged',
    'vfio-pci-core-split',
    'ubuntu-2004-vfio-builtin',
    'sysfb-simpledrm-bootfb-conflict',
    'vfio-pci-aperture-before-6.0',
    'vendor-reset-needs-reset-method',
    'amd-iommu-v2-removed',
    'dma-ownership-ebusy',
    'group-not-viable',
    'vfio-cdev-missing',
    'iommufd-unsafe-interrupts',
    'intel-iommu-default-off',
    'dmar-fault-format-change',
    'rmrr-device-ineligible',
    'amd-iommu-on-is-no-option',
  ]) {
    assert.ok(ids.has(id), `missing entry ${id}`);
  }
});

interface Bad {
  name: string;
  data: unknown;
  error: RegExp;
}

const entry = (patch: Record<string, unknown>): unknown => ({ ...GOOD, ...patch });
const sig = (s: Record<string, unknown>): unknown => entry({ signature: s });

const BAD: Bad[] = [
  { name: 'not an array', data: { entries: [] }, error: /^site\.json: the file must hold a JSON array of entries$/ },
  { name: 'entry not an object', data: [GOOD, 'x'], error: /^site\.json: entry 2: must be an object$/ },
  { name: 'bad id', data: [entry({ id: 'Has Spaces' })], error: /^site\.json: entry 1 \("Has Spaces"\): "id" must be/ },
  { name: 'missing title', data: [entry({ title: undefined })], error: /^site\.json: entry 1 \("my-entry"\): "title" must be a non-empty string$/ },
  { name: 'bad layer', data: [entry({ layer: 'gpu' })], error: /entry 1 \("my-entry"\): "layer" must be one of firmware, kernel, modules/ },
  { name: 'bad severity', data: [entry({ severity: 'fatal' })], error: /"severity" must be one of info, warning, error/ },
  { name: 'no references', data: [entry({ references: [] })], error: /"references" must be a non-empty array/ },
  { name: 'unknown field', data: [entry({ descripton: 'typo' })], error: /entry 1 \("my-entry"\): unknown field "descripton"/ },
  { name: 'no signature', data: [entry({ signature: undefined })], error: /"signature" must be an object/ },
  { name: 'unknown signature field', data: [sig({ any: [{ log: 'x' }], kernels: '>=5.15' })], error: /signature: unknown field "kernels"/ },
  { name: 'no evidence', data: [sig({ kernel: '>=5.15' })], error: /signature needs at least one test in "all" or "any"/ },
  { name: 'two test kinds', data: [sig({ any: [{ log: 'x', cmdline: 'y' }] })], error: /signature\.any\[0\] must have exactly one of "log", "event", "cmdline", "release"$/ },
  { name: 'invalid regex', data: [sig({ all: [{ log: "BAR (\\d+: can't" }] })], error: /signature\.all\[0\]\.log: invalid regular expression \/BAR \(\\d\+: can't\/: Unterminated group$/ },
  { name: 'unknown event kind', data: [sig({ any: [{ event: 'dmar-dma-falt' }] })], error: /signature\.any\[0\]\.event: "dmar-dma-falt" is not an event kind the decoder produces/ },
  { name: 'fields without event', data: [sig({ any: [{ log: 'x', fields: { a: 'b' } }] })], error: /"device" and "fields" refine an "event" test only/ },
  { name: 'bad field regex', data: [sig({ any: [{ event: 'probe-failed', fields: { errnoName: '(' } }] })], error: /signature\.any\[0\]\.fields\.errnoName: invalid regular expression/ },
  { name: 'bad kernel range', data: [sig({ any: [{ log: 'x' }], kernel: '6.2+' })], error: /signature\.kernel: "6\.2\+" is not a version comparator/ },
  { name: 'bad device id', data: [sig({ any: [{ log: 'x' }], devices: ['10de-1e87'] })], error: /signature\.devices\[0\]: "10de-1e87" is not a "vvvv:dddd" ID/ },
  { name: 'tests not a list', data: [sig({ any: { log: 'x' } })], error: /signature\.any must be an array of tests/ },
];

test('each malformed entry gives one clear line naming the file, the entry and the field', () => {
  for (const b of BAD) {
    assert.throws(
      () => validateKnowledgeBase([{ file: 'site.json', data: b.data }], { eventKinds: eventKinds() }),
      (e: unknown) => {
        assert.ok(e instanceof KnowledgeBaseError, b.name);
        assert.match(e.message, b.error, b.name);
        assert.ok(!e.message.includes('\n'), `${b.name}: one line`);
        return true;
      },
    );
  }
});

test('a duplicate id names both files', () => {
  assert.throws(
    () =>
      validateKnowledgeBase([
        { file: 'a.json', data: [GOOD] },
        { file: 'b.json', data: [GOOD] },
      ]),
    (e: unknown) => e instanceof KnowledgeBaseError && /^b\.json: entry 1 \("my-entry"\): id "my-entry" is already used in a\.json$/.test(e.message),
  );
  assert.throws(() => loadKnowledgeBase([writeTemp([{ ...GOOD, id: 'vfio-virqfd-merged' }])]), /id "vfio-virqfd-merged" is already used in kb\/modules\.json/);
});

test('extra directories: read in name order, invalid JSON and missing paths reported by name', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vfio-doctor-kb-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'b.json'), JSON.stringify([{ ...GOOD, id: 'site-b' }]));
  writeFileSync(path.join(dir, 'a.json'), JSON.stringify([{ ...GOOD, id: 'site-a' }]));
  writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
  assert.deepEqual(
    readKnowledgeBaseSources(dir).map((s) => path.basename(s.file)),
    ['a.json', 'b.json'],
  );
  const all = loadKnowledgeBase([dir]);
  assert.equal(all.length, builtinKnowledgeBase().length + 2);
  assert.equal(all[all.length - 1]?.id, 'site-b');

  writeFileSync(path.join(dir, 'c.json'), '[{"id": "x",]');
  assert.throws(() => loadKnowledgeBase([dir]), (e: unknown) => e instanceof KnowledgeBaseError && e.message.startsWith(`${path.join(dir, 'c.json')}: not valid JSON:`));
  assert.throws(() => loadKnowledgeBase([path.join(dir, 'missing')]), /missing: cannot read: ENOENT$/);
});

function writeTemp(data: unknown): string {
  const dir = tempDir('kb1');
  const file = path.join(dir, 'one.json');
  writeFileSync(file, JSON.stringify(data));
  return file;
}
