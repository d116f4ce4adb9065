import fs from 'node:fs';
import { SCHEMA_VERSION, type Snapshot } from './types.js';

export class SnapshotLoadError extends Error {}

const REQUIRED: [keyof Snapshot, 'object' | 'array' | 'string' | 'number'][] = [
  ['schemaVersion', 'number'],
  ['tool', 'object'],
  ['collectedAt', 'string'],
  ['origin', 'object'],
  ['sources', 'object'],
  ['host', 'object'],
  ['firmware', 'object'],
  ['iommu', 'object'],
  ['pci', 'array'],
  ['modules', 'object'],
  ['devnodes', 'object'],
  ['boot', 'object'],
  ['hostCritical', 'object'],
  ['toolMessages', 'array'],
];

/** Checks the shape a snapshot must have before analysis trusts it; one message naming the field. */
export function validateSnapshot(data: unknown, where: string): Snapshot {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new SnapshotLoadError(`${where}: not a vfio-doctor snapshot (expected a JSON object)`);
  const o = data as Record<string, unknown>;
  if (o['schemaVersion'] === undefined || (o['tool'] as { name?: unknown } | undefined)?.name !== 'vfio-doctor') {
    throw new SnapshotLoadError(`${where}: not a vfio-doctor snapshot (no schemaVersion / tool.name)`);
  }
  if (o['schemaVersion'] !== SCHEMA_VERSION) {
    throw new SnapshotLoadError(
      `${where}: snapshot schemaVersion ${String(o['schemaVersion'])} is not supported (this vfio-doctor reads schemaVersion ${SCHEMA_VERSION}; it was written by vfio-doctor ${String((o['tool'] as { version?: unknown }).version ?? '?')})`,
    );
  }
  for (const [key, type] of REQUIRED) {
    const v = o[key];
    const ok = type === 'array' ? Array.isArray(v) : type === 'object' ? typeof v === 'object' && v !== null && !Array.isArray(v) : typeof v === type;
    if (!ok) throw new SnapshotLoadError(`${where}: field "${key}" is missing or not ${type === 'array' ? 'an array' : `a ${type}`}`);
  }
  (o['pci'] as unknown[]).forEach((d, i) => {
    const dev = d as Record<string, unknown>;
    if (typeof dev?.['address'] !== 'string' || typeof dev['vendorId'] !== 'string' || typeof dev['classCode'] !== 'string') {
      throw new SnapshotLoadError(`${where}: pci[${i}] is not a PCI device record (address, vendorId, classCode)`);
    }
  });
  return data as Snapshot;
}

export function loadSnapshotFile(file: string): Snapshot {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SnapshotLoadError(`${file}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : e.message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new SnapshotLoadError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  return validateSnapshot(data, file);
}
