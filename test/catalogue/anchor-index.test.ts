// The anchor index: a message meets every entry one of whose anchors it holds, an anchor standing for
// the shorter anchors it begins with, and the first entry in catalogue order whose pattern matches wins.
import test from 'node:test';
import assert from 'node:assert/strict';
import { findEntry } from '../../src/catalogue/match.js';
import type { CatalogueEntry } from '../../src/catalogue/types.js';

function entry(id: string, anchors: string[], match: string): CatalogueEntry {
  return {
    id, origin: 'qemu', printedBy: 'test', anchors, match: [match], example: match, layer: 'hypervisor', proves: '', notProves: '', fix: '',
    file: 'test.json', patterns: [new RegExp(match, 'i')],
  };
}

const entries = [
  entry('long-anchor', ['vfio-pci 0000'], 'vfio-pci 0000:01:00.0 failed'),
  entry('short-anchor', ['vfio'], 'vfio.*failed'),
  entry('other', ['iommu group'], 'iommu group \\d+ is not viable'),
  entry('prefix-of-other', ['iommu'], 'iommu.*viable'),
  entry('two-anchors', ['group', 'vfio-pci'], 'group|vfio-pci'),
];

const rows: [string, string | null][] = [
  // At "vfio-pci 0000" the alternation finds only the longest anchor: the shorter "vfio" and "vfio-pci"
  // it begins with still bring their entries, in catalogue order.
  ['vfio-pci 0000:01:00.0 failed', 'long-anchor'],
  ['vfio-pci 0000:02:00.0 failed', 'short-anchor'],
  ['vfio-pci probe', 'two-anchors'],
  ['iommu group 7 is not viable', 'other'],
  ['iommu domain not viable', 'prefix-of-other'],
  ['group 7', 'two-anchors'],
  ['nothing here', null],
];

test('findEntry: entries reached through anchors that begin other anchors, first in catalogue order', () => {
  for (const [message, id] of rows) assert.equal(findEntry(message, entries)?.entry.id ?? null, id, message);
});
