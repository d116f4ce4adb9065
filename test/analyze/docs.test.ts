import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { findingsDoc } from '../../src/analyze/findings-doc.js';
import { RULES } from '../../src/analyze/rules/index.js';
import { ruleCatalogue } from '../../src/rules/catalogue.js';
import { builtinKnowledgeBase } from '../../src/kb/load.js';
import { CAUSES } from '../../src/analyze/causes.js';
import { LAYERS } from '../../src/analyze/layers.js';

test('docs/findings.md is generated from the rules and up to date (npm run docs)', () => {
  const onDisk = fs.readFileSync(path.join(repoRoot, 'docs', 'findings.md'), 'utf8');
  assert.equal(onDisk, findingsDoc(ruleCatalogue()), 'docs/findings.md is stale: run "npm run docs"');
});

test('every rule has a unique id, a known layer and documented causes', () => {
  const ids = new Set<string>();
  for (const r of RULES) {
    assert.ok(!ids.has(r.meta.id), `duplicate rule id ${r.meta.id}`);
    ids.add(r.meta.id);
    assert.match(r.meta.id, /^[a-z][a-z0-9-]*$/);
    assert.ok(LAYERS.includes(r.meta.layer), r.meta.id);
    assert.ok(r.meta.description.length > 20, `${r.meta.id} describes itself`);
    for (const c of r.meta.causes) assert.ok(Object.hasOwn(CAUSES, c), `${r.meta.id}: cause ${c} is not in causes.ts`);
  }
});

test('every rule, preflight check and diff class describes itself the same way', () => {
  const seen = new Set<string>();
  for (const r of ruleCatalogue()) {
    const key = `${r.kind}:${r.meta.id}`;
    assert.ok(!seen.has(key), `duplicate ${key}`);
    seen.add(key);
    assert.match(r.meta.id, /^[a-z][a-z0-9-]*$/, key);
    assert.ok(LAYERS.includes(r.meta.layer), key);
    for (const l of r.meta.alsoLayers ?? []) assert.ok(LAYERS.includes(l) && l !== r.meta.layer, `${key}: also layer ${l}`);
    assert.ok(r.meta.title.length > 2 && !r.meta.title.endsWith('.'), `${key} has a title`);
    assert.ok(r.meta.description.length > 20, `${key} describes itself`);
    // Knowledge-base entries may name causes of their own (docs/knowledge-base.md); every other cause is in causes.ts.
    const kbCauses = new Set(builtinKnowledgeBase().map((e) => e.cause));
    for (const c of r.meta.causes) assert.ok(Object.hasOwn(CAUSES, c) || (r.meta.id === 'kb-jump' && kbCauses.has(c)), `${key}: cause ${c} is not in causes.ts`);
    if (r.kind !== 'analyze') assert.ok((r.meta.reports ?? []).length > 0, `${key} lists the ids its findings carry`);
    if (r.kind === 'preflight') for (const id of r.meta.reports!) assert.match(id, /^preflight\./, `${key}: ${id}`);
  }
  // A change id names one class: two classes reporting the same id could not be told apart in the docs.
  const diffIds = ruleCatalogue().filter((r) => r.kind === 'diff').flatMap((r) => r.meta.reports ?? []);
  assert.equal(new Set(diffIds).size, diffIds.length, 'every diff change id belongs to one class');
});

test('rules run in the order of the chain', () => {
  const idx = RULES.map((r) => LAYERS.indexOf(r.meta.layer));
  assert.deepEqual(idx, [...idx].sort((a, b) => a - b));
});

test('the fixed cause names of DESIGN.md are all present', () => {
  const fixed = [
    'iommu-disabled-firmware', 'iommu-disabled-cmdline', 'iommu-args-invalid', 'iommu-inactive', 'irq-remap-missing', 'kernel-not-rebooted',
    'module-missing', 'module-renamed', 'vfio-builtin-options-ignored', 'initramfs-missing-vfio', 'module-signature-rejected', 'host-driver-bound',
    'companion-not-bound', 'vfio-ids-mismatch', 'group-shared', 'acs-override-in-use', 'bar-conflict', 'reset-unsupported', 'reset-failed',
    'stuck-in-d3', 'dma-fault', 'rmrr-blocked', 'vfio-node-permissions', 'memlock-limit', 'vm-config-mismatch',
  ];
  for (const c of fixed) assert.ok(Object.hasOwn(CAUSES, c), c);
});
