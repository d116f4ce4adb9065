// Rows for the rule tester (tester.ts) written as one list: each row is an input (pasted output, read through
// the same pipeline `analyze` uses), the options, and what the one rule under test must report.
import { analyzeRule, ruleTester } from './tester.js';
import type { Rule } from '../../src/analyze/rule.js';
import type { Severity } from '../../src/analyze/finding.js';

export interface RuleCase {
  name: string;
  /** Pasted output the snapshot is built from. */
  paste: string;
  devices?: string[];
  /** The findings the rule must report, in order; [] for none. */
  finds: { cause: string; severity: Severity; subject?: string | null; text?: RegExp }[];
  /** A check it must say it could not make, with the settling command. */
  cannot?: RegExp;
}

/** The rows as the rule tester's two tables: rows that find nothing are the valid ones. */
export function ruleTests(rule: Rule, cases: RuleCase[]): void {
  const input = (c: RuleCase) => ({ paste: c.paste, devices: c.devices ?? [] });
  const cannot = (c: RuleCase) => (c.cannot ? { cannot: c.cannot } : {});
  ruleTester(analyzeRule(rule), {
    valid: cases.filter((c) => c.finds.length === 0).map((c) => ({ name: c.name, input: input(c), ...cannot(c) })),
    invalid: cases.filter((c) => c.finds.length > 0).map((c) => ({ name: c.name, input: input(c), ...cannot(c), findings: c.finds })),
  });
}
