import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';
import { RESET_METHODS, type AcsOverrideRule, type Match, type Policy, type PolicyEntry, type ResetMethod, type TargetRule } from './types.js';
import { fullFunctionAddress } from '../pci/address.js';

// YAML through the `yaml` package: it keeps every node's position, so each error names its line, and it
// follows YAML 1.2 (no "yes"/"no" booleans, no timestamp type: a date stays the string written).

export class PolicyError extends Error {}

export const POLICY_VERSION = 1;
const ID = /^[0-9a-f]{4}:[0-9a-f]{4}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

type Fields = Record<string, (node: Node | null, line: number) => void>;

class Reader {
  private lines: LineCounter;
  constructor(
    private file: string,
    lines: LineCounter,
  ) {
    this.lines = lines;
  }

  line(node: Node | Pair | null | undefined, fallback: number): number {
    const range = node && 'range' in node ? node.range : node && 'key' in node ? (node.key as Node | null)?.range : null;
    return range ? this.lines.linePos(range[0]).line : fallback;
  }

  fail(line: number, message: string): never {
    throw new PolicyError(`${this.file}:${line}: ${message}`);
  }

  /** A mapping whose keys must be among `fields`; each present key is handed to its reader. */
  map(node: Node | null, line: number, what: string, fields: Fields, required: string[] = []): void {
    if (!isMap(node)) this.fail(this.line(node, line), `${what} must be a mapping (key: value lines)`);
    const seen = new Set<string>();
    for (const pair of node.items) {
      const keyLine = this.line(pair.key as Node, line);
      const key = isScalar(pair.key) ? String(pair.key.value) : null;
      if (key === null) this.fail(keyLine, `${what}: keys must be plain words`);
      const reader = fields[key];
      if (!reader) this.fail(keyLine, `unknown key "${key}" in ${what} (known: ${Object.keys(fields).join(', ')})`);
      seen.add(key);
      reader((pair.value as Node | null) ?? null, keyLine);
    }
    for (const r of required) if (!seen.has(r)) this.fail(this.line(node, line), `${what} needs "${r}"`);
  }

  string(node: Node | null, line: number, what: string): string {
    if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') {
      const hint = isScalar(node) && typeof node.value === 'number' ? ` (quote it: "${node.source ?? String(node.value)}")` : '';
      this.fail(this.line(node, line), `${what} must be a non-empty string${hint}`);
    }
    return node.value.trim();
  }

  oneOf<T extends string>(node: Node | null, line: number, what: string, allowed: readonly T[]): T {
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) this.fail(this.line(node, line), `${what} must be one of ${allowed.join(', ')}${v !== undefined ? ` (not ${JSON.stringify(v)})` : ''}`);
    return v as T;
  }

  list(node: Node | null, line: number, what: string): Node[] {
    if (!isSeq(node)) this.fail(this.line(node, line), `${what} must be a list`);
    if (node.items.length === 0) this.fail(this.line(node, line), `${what} is empty`);
    return node.items as Node[];
  }

  deviceRef(node: Node | null, line: number, what: string): string {
    const s = this.string(node, line, what);
    const lower = s.toLowerCase();
    if (ID.test(lower)) return lower;
    const a = fullFunctionAddress(s);
    if (a) return a;
    this.fail(this.line(node, line), `${what}: "${s}" is neither a vendor:device id (10de:1e87) nor a PCI address (0000:01:00.0)`);
  }
}

function validDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function readTarget(r: Reader, node: Node | null, line: number, where: string): TargetRule {
  const t: TargetRule = { line: r.line(node, line), id: null, address: null, isolation: null, reset: null };
  r.map(node, line, where, {
    id: (v, l) => {
      const s = r.string(v, l, `${where}.id`).toLowerCase();
      if (!ID.test(s)) r.fail(r.line(v, l), `${where}.id: "${s}" is not a vendor:device id (four hex digits each, e.g. 10de:1e87)`);
      t.id = s;
    },
    address: (v, l) => {
      const s = r.string(v, l, `${where}.address`);
      const a = fullFunctionAddress(s);
      if (!a) r.fail(r.line(v, l), `${where}.address: "${s}" is not a PCI address (0000:01:00.0 or 01:00.0)`);
      t.address = a;
    },
    isolation: (v, l) => {
      if (isScalar(v) && v.value === 'alone') t.isolation = { alone: true, line: l };
      else if (isSeq(v)) t.isolation = { alone: false, with: r.list(v, l, `${where}.isolation`).map((n, i) => r.deviceRef(n, l, `${where}.isolation[${i}]`)), line: l };
      else r.fail(r.line(v, l), `${where}.isolation must be "alone" or a list of the ids or addresses allowed in the target's IOMMU group`);
    },
    reset: (v, l) => {
      t.reset = { method: r.oneOf<ResetMethod>(v, l, `${where}.reset`, RESET_METHODS), line: l };
    },
  });
  if ((t.id === null) === (t.address === null)) r.fail(t.line, `${where} needs exactly one of "id" and "address"`);
  return t;
}

function readAcs(r: Reader, node: Node | null, line: number, where: string, today: string): AcsOverrideRule {
  const a: AcsOverrideRule = { line, decision: 'forbidden', reason: null, owner: null, reviewBy: null };
  let reviewLine = line;
  r.map(
    node,
    line,
    where,
    {
      decision: (v, l) => void (a.decision = r.oneOf(v, l, `${where}.decision`, ['forbidden', 'allowed'] as const)),
      reason: (v, l) => void (a.reason = r.string(v, l, `${where}.reason`)),
      owner: (v, l) => void (a.owner = r.string(v, l, `${where}.owner`)),
      review_by: (v, l) => {
        const s = r.string(v, l, `${where}.review_by`);
        if (!validDate(s)) r.fail(r.line(v, l), `${where}.review_by: "${s}" is not a date (YYYY-MM-DD)`);
        a.reviewBy = s;
        reviewLine = r.line(v, l);
      },
    },
    ['decision'],
  );
  if (a.decision === 'allowed') {
    // An allowance nobody owns or reviews is the outage-time decision the policy exists to prevent.
    for (const [key, v] of [['reason', a.reason], ['owner', a.owner], ['review_by', a.reviewBy]] as const) {
      if (v === null) r.fail(line, `${where}: an allowed ACS override needs "${key}" (reason, owner and review_by say why, who decided and when to look again)`);
    }
  }
  if (a.reviewBy !== null && a.reviewBy < today) r.fail(reviewLine, `${where}.review_by ${a.reviewBy} is in the past: review the decision and set the next review date`);
  return a;
}

function readEntry(r: Reader, node: Node | null, line: number, index: number, today: string): PolicyEntry {
  const where = `entries[${index}]`;
  const e: PolicyEntry = {
    line: r.line(node, line),
    name: '',
    match: { host: null, vendor: null, product: null, board: null, cpu: null },
    targets: [],
    interruptRemapping: null,
    acsOverride: null,
    allowUnsafeInterrupts: null,
    kernels: null,
    minimumBios: null,
  };
  r.map(
    node,
    line,
    where,
    {
      name: (v, l) => void (e.name = r.string(v, l, `${where}.name`)),
      match: (v, l) => {
        const fields = Object.fromEntries(
          (Object.keys(e.match) as (keyof Match)[]).map((k) => [k, (mv: Node | null, ml: number) => void (e.match[k] = r.string(mv, ml, `${where}.match.${k}`))]),
        );
        r.map(v, l, `${where}.match`, fields);
      },
      targets: (v, l) => void (e.targets = r.list(v, l, `${where}.targets`).map((n, i) => readTarget(r, n, l, `${where}.targets[${i}]`))),
      interrupt_remapping: (v, l) => void (e.interruptRemapping = { required: r.oneOf(v, l, `${where}.interrupt_remapping`, ['required', 'optional'] as const) === 'required', line: l }),
      acs_override: (v, l) => void (e.acsOverride = readAcs(r, v, l, `${where}.acs_override`, today)),
      allow_unsafe_interrupts: (v, l) => void (e.allowUnsafeInterrupts = { allowed: r.oneOf(v, l, `${where}.allow_unsafe_interrupts`, ['forbidden', 'allowed'] as const) === 'allowed', line: l }),
      kernels: (v, l) => void (e.kernels = { allowed: r.list(v, l, `${where}.kernels`).map((n, i) => r.string(n, l, `${where}.kernels[${i}]`)), line: l }),
      minimum_bios: (v, l) => void (e.minimumBios = { version: r.string(v, l, `${where}.minimum_bios`), line: l }),
    },
    ['name'],
  );
  return e;
}

/** Parses a policy; every problem is a PolicyError "FILE:LINE: what". `today` (YYYY-MM-DD) judges review dates. */
export function parsePolicy(text: string, file: string, today: string = new Date().toISOString().slice(0, 10)): Policy {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const r = new Reader(file, lines);
  const syntax = doc.errors[0];
  if (syntax) r.fail(lines.linePos(syntax.pos[0]).line, `not valid YAML: ${syntax.message.split('\n')[0]}`);
  if (doc.contents === null) r.fail(1, 'the policy is empty (it needs "version: 1" and "entries")');
  const policy: Policy = { file, entries: [] };
  let version: number | null = null;
  r.map(
    doc.contents as Node,
    1,
    'the policy',
    {
      version: (v, l) => {
        if (!isScalar(v) || v.value !== POLICY_VERSION) r.fail(r.line(v, l), `version must be ${POLICY_VERSION} (this vfio-doctor reads policy version ${POLICY_VERSION})`);
        version = POLICY_VERSION;
      },
      entries: (v, l) => void (policy.entries = r.list(v, l, 'entries').map((n, i) => readEntry(r, n, l, i, today))),
    },
    ['version', 'entries'],
  );
  void version;
  const names = new Map<string, number>();
  for (const e of policy.entries) {
    const before = names.get(e.name);
    if (before !== undefined) r.fail(e.line, `entry name "${e.name}" is used twice (also line ${before}): findings name their entry`);
    names.set(e.name, e.line);
  }
  return policy;
}
