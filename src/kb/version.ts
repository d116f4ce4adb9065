// Kernel release strings and version ranges for the knowledge base.

import type { VersionComparator } from './types.js';

/** The numeric part of a kernel release: "6.8.0-48-generic" → [6, 8, 0]; null when there is none. */
export function parseKernelVersion(release: string): number[] | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release.trim());
  if (!m) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

const COMPARATOR = /^(<=|>=|<|>|=)?(\d+(?:\.\d+){0,2})$/;

/** Parses ">=5.15 <6.2"; throws with a readable message on a malformed range. */
export function parseRange(text: string): VersionComparator[] {
  const parts = text.trim().split(/\s+/).filter((p) => p !== '');
  if (parts.length === 0) throw new Error('empty version range');
  return parts.map((p) => {
    const m = COMPARATOR.exec(p);
    if (!m) throw new Error(`"${p}" is not a version comparator (write e.g. ">=5.15", "<6.2", "=5.4")`);
    return { op: (m[1] ?? '=') as VersionComparator['op'], version: (m[2] as string).split('.').map(Number) };
  });
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Whether a version satisfies every comparator. "=5.4" matches any 5.4.x. */
export function inRange(version: number[], range: readonly VersionComparator[]): boolean {
  return range.every(({ op, version: v }) => {
    if (op === '=') return v.every((part, i) => version[i] === part);
    const c = compare(version, v);
    return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
  });
}
