// Every judge of the evidence in one list: analyze rules (check, analyze), preflight checks (before a
// reboot) and diff change classes (between two snapshots). They share one meta shape (analyze/rule.ts);
// the findings page and the meta tests walk this list, so a new rule of any kind is documented and
// checked by adding it to its own index.
import type { RuleMeta } from '../analyze/rule.js';
import { RULES } from '../analyze/rules/index.js';
import { PREFLIGHT_CHECKS } from '../preflight/checks/index.js';
import { CHANGE_CLASSES } from '../diff/diff.js';

export type RuleKind = 'analyze' | 'preflight' | 'diff';

export interface CataloguedRule {
  kind: RuleKind;
  meta: RuleMeta;
}

export const RULE_KINDS: Record<RuleKind, { heading: string; command: string; where: string }> = {
  analyze: { heading: 'Rules', command: '`check`, `analyze`', where: 'src/analyze/rules/<layer>/, listed in src/analyze/rules/index.ts' },
  preflight: { heading: 'Preflight checks', command: '`preflight`', where: 'src/preflight/checks/, listed in src/preflight/checks/index.ts' },
  diff: { heading: 'Diff change classes', command: '`diff`', where: 'src/diff/classes/, listed in CHANGE_CLASSES of src/diff/diff.ts' },
};

export function ruleCatalogue(): CataloguedRule[] {
  return [
    ...RULES.map((r) => ({ kind: 'analyze' as const, meta: r.meta })),
    ...PREFLIGHT_CHECKS.map((c) => ({ kind: 'preflight' as const, meta: c.meta })),
    ...CHANGE_CLASSES.map((c) => ({ kind: 'diff' as const, meta: c.meta })),
  ];
}

/** The ids a rule's findings carry: its own for an analyze rule, else those its meta lists. */
export function reportedIds(r: CataloguedRule): string[] {
  return r.kind === 'analyze' ? [r.meta.id] : (r.meta.reports ?? []);
}
