import type { Layer } from '../../analyze/layers.js';
import type { RuleMeta } from '../../analyze/rule.js';
import type { PciDevice } from '../../snapshot/types.js';
import { describeDevice } from '../../analyze/pci-facts.js';
import type { DiffContext } from '../context.js';
import type { Change, ChangeKind, DiffEvidence } from '../types.js';

/** One kind of difference the comparison looks for; each lives in its own module. */
export interface ChangeClass {
  /** The same self-description as an analyze rule; its change ids are listed in meta.reports. */
  meta: RuleMeta;
  compare: (ctx: DiffContext, out: ChangeSink) => void;
}

export interface ChangeSink {
  add: (change: Change) => void;
  /** Something this class could not compare, and why. */
  note: (text: string) => void;
}

export function change(
  id: string,
  layer: Layer,
  kind: ChangeKind,
  title: string,
  evidence: DiffEvidence[],
  extra: { cause?: string | null; subject?: string | null } = {},
): Change {
  const severity = kind === 'regression' ? 'fail' : 'info';
  return { id, layer, kind, cause: extra.cause ?? null, severity, subject: extra.subject ?? null, title, evidence, decision: '', commands: [], trusted: true, untrustedUntil: null };
}

export function label(d: PciDevice | undefined, address: string): string {
  return d ? describeDevice(d) : address;
}
