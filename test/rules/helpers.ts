// A rule tester in the manner of a lint rule tester: each row is an input (pasted output, read through
// the same pipeline `analyze` uses), the options, and what the one rule under test must report.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readPaste } from '../../src/paste/read-paste.js';
import { analyze } from '../../src/analyze/analyze.js';
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

export function ruleTests(rule: Rule, cases: RuleCase[]): void {
  for (const c of cases) {
    test(`rule ${rule.meta.id}: ${c.name}`, async () => {
      const { snapshot } = await readPaste([{ name: 'paste.txt', bytes: Buffer.from(c.paste) }]);
      const r = analyze(snapshot, { devices: c.devices ?? [] }, [rule]);
      const got = r.findings.map((f) => `${f.cause} ${f.severity} ${f.subject ?? '-'} | ${f.title}`);
      assert.equal(r.findings.length, c.finds.length, `findings:\n${got.join('\n')}`);
      c.finds.forEach((want, i) => {
        const f = r.findings[i]!;
        assert.equal(f.cause, want.cause, got[i]);
        assert.equal(f.severity, want.severity, got[i]);
        if (want.subject !== undefined) assert.equal(f.subject, want.subject, got[i]);
        if (want.text) assert.match(`${f.title}\n${f.decision}`, want.text, got[i]);
        assert.ok(f.evidence.length > 0, `${got[i]}: evidence`);
        assert.ok(rule.meta.causes.includes(f.cause));
      });
      if (c.cannot) assert.ok(r.unchecked.some((u) => c.cannot!.test(`${u.reason} | ${u.settle ?? ''}`)), `unchecked: ${JSON.stringify(r.unchecked)}`);
      else assert.deepEqual(r.unchecked, [], 'nothing left unchecked');
    });
  }
}
