// One rule tester for every kind of rule, in the manner of eslint's RuleTester: a rule (an analyze
// rule, a preflight check or a diff change class) and two tables — valid inputs, on which it reports
// nothing, and invalid ones, with the findings it must report, in order. Every finding is also held to
// the rule's meta: an id and a cause it declares, a title, evidence.
import test from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/analyze/analyze.js';
import type { Severity } from '../../src/analyze/finding.js';
import { declaresId, type Rule, type RuleMeta } from '../../src/analyze/rule.js';
import type { ChangeClass } from '../../src/diff/classes/class.js';
import { buildDiffContext } from '../../src/diff/context.js';
import type { Change, ChangeKind } from '../../src/diff/types.js';
import { preflightInput, runCheck } from '../../src/preflight/preflight.js';
import type { PreflightCheck } from '../../src/preflight/types.js';
import { readPaste } from '../../src/paste/read-paste.js';
import type { RuleKind } from '../../src/rules/catalogue.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import type { AnyFinding } from '../../src/render/finding.js';

export interface Expected {
  /** The finding id, when the rule reports more than one (preflight, diff). */
  id?: string;
  cause: string | null;
  severity?: Severity;
  /** For a diff change. */
  kind?: ChangeKind;
  subject?: string | null;
  /** Matched against the title and the decision. */
  text?: RegExp;
}

export interface ValidCase<I> {
  name: string;
  input: I;
  /** A check the rule must say it could not make (analyze rules), matched against reason and settle. */
  cannot?: RegExp;
}

export interface InvalidCase<I> extends ValidCase<I> {
  findings: Expected[];
}

export interface RuleTables<I> {
  valid: ValidCase<I>[];
  invalid: InvalidCase<I>[];
}

/** How to run one kind of rule on its input. */
export interface Testable<I> {
  kind: RuleKind;
  meta: RuleMeta;
  run: (input: I) => Promise<{ findings: AnyFinding[]; unchecked: string[] | null }>;
}

/** Pasted output, read through the same pipeline `analyze` uses, or a snapshot; with check's options. */
export type AnalyzeInput = { paste: string; devices?: string[] } | { snapshot: Snapshot; devices?: string[] };

export function analyzeRule(rule: Rule): Testable<AnalyzeInput> {
  return {
    kind: 'analyze',
    meta: rule.meta,
    async run(input) {
      const snap = 'paste' in input ? (await readPaste([{ name: 'paste.txt', bytes: Buffer.from(input.paste) }])).snapshot : input.snapshot;
      const r = analyze(snap, { devices: input.devices ?? [] }, [rule]);
      return { findings: r.findings, unchecked: r.unchecked.map((u) => `${u.reason} | ${u.settle ?? ''}`) };
    },
  };
}

/** A host tree with a running and a next kernel (test/preflight/support/hosts.ts), and preflight's options. */
export interface PreflightCase {
  root: string;
  kernel?: string;
  devices?: string[];
}

export function preflightCheck(check: PreflightCheck): Testable<PreflightCase> {
  return {
    kind: 'preflight',
    meta: check.meta,
    async run(c) {
      const input = await preflightInput({ root: c.root, cwd: c.root, ...(c.kernel ? { kernel: c.kernel } : {}), devices: c.devices ?? [] });
      if ('kind' in input) throw new Error(`preflight has nothing to check: ${input.message}`);
      return { findings: runCheck(check, input), unchecked: null };
    },
  };
}

export interface DiffCase {
  before: Snapshot;
  after: Snapshot;
  devices?: string[];
}

export function diffClass(cls: ChangeClass): Testable<DiffCase> {
  return {
    kind: 'diff',
    meta: cls.meta,
    async run(c) {
      const ctx = buildDiffContext(c.before, c.after, { devices: c.devices ?? [], ids: [] });
      const changes: Change[] = [];
      cls.compare(ctx, { add: (x) => void changes.push(x), note: () => {} });
      return { findings: changes, unchecked: null };
    },
  };
}

function describe(f: AnyFinding): string {
  return `${f.id} ${f.cause ?? '-'} ${f.severity}${'kind' in f ? ` ${f.kind}` : ''} ${f.subject ?? '-'} | ${f.title}`;
}

function holdToMeta(t: Testable<unknown>, f: AnyFinding): void {
  const shown = describe(f);
  assert.ok(t.kind === 'analyze' ? f.id === t.meta.id : declaresId(t.meta.reports ?? [], f.id), `${shown}: id not declared in meta`);
  if (f.cause !== null) assert.ok(t.meta.causes.includes(f.cause), `${shown}: cause not declared in meta`);
  assert.ok(f.title.length > 0, `${shown}: title`);
  assert.ok(f.evidence.length > 0, `${shown}: evidence`);
}

export function ruleTester<I>(t: Testable<I>, tables: RuleTables<I>): void {
  const label = `${t.kind} ${t.meta.id}`;
  const unchecked = (c: ValidCase<I>, got: string[] | null) => {
    if (got === null) return;
    if (c.cannot) assert.ok(got.some((u) => c.cannot!.test(u)), `unchecked: ${JSON.stringify(got)}`);
    else assert.deepEqual(got, [], 'nothing left unchecked');
  };
  for (const c of tables.valid) {
    test(`${label} valid: ${c.name}`, async () => {
      const r = await t.run(c.input);
      assert.deepEqual(r.findings.map(describe), [], 'reports nothing');
      unchecked(c, r.unchecked);
    });
  }
  for (const c of tables.invalid) {
    test(`${label} invalid: ${c.name}`, async () => {
      assert.ok(c.findings.length > 0, 'an invalid case names the findings it must produce');
      const r = await t.run(c.input);
      const got = r.findings.map(describe);
      assert.equal(r.findings.length, c.findings.length, `findings:\n${got.join('\n')}`);
      c.findings.forEach((want, i) => {
        const f = r.findings[i]!;
        if (want.id !== undefined) assert.equal(f.id, want.id, got[i]);
        assert.equal(f.cause, want.cause, got[i]);
        if (want.severity !== undefined) assert.equal(f.severity, want.severity, got[i]);
        if (want.kind !== undefined) assert.equal('kind' in f ? f.kind : undefined, want.kind, got[i]);
        if (want.subject !== undefined) assert.equal(f.subject, want.subject, got[i]);
        if (want.text) assert.match(`${f.title}\n${f.decision}`, want.text, got[i]);
        holdToMeta(t as Testable<unknown>, f);
      });
      unchecked(c, r.unchecked);
    });
  }
}
