// One-record-per-line logs of Go and Rust services: JSON ({"level":"error","logger":"eal","msg":"..."},
// KubeVirt's {"component":"virt-launcher",...}) and logfmt (time="..." level=info msg="..." as Harvester's
// controllers write). The message decides which tool it belongs to.
import type { ToolName } from '../../snapshot/types.js';
import type { Recogniser } from '../types.js';
import { classifyTool, PASSTHROUGH_WORDS } from '../tools.js';
import { matchMessage } from '../../catalogue/match.js';

const LOGFMT = /^(?:time|ts|timestamp)=("[^"]*"|\S+)\s+level=\w+\s+msg=("(?:[^"\\]|\\.)*"|\S+)(.*)$/;

interface Record {
  message: string;
  fields: Map<string, string>;
}

function parseJson(text: string): Record | null {
  if (!text.startsWith('{') || !text.endsWith('}')) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const o = v as { [k: string]: unknown };
  // journalctl -o json records are the kernel-log recogniser's: it sorts them by SYSLOG_IDENTIFIER.
  if (typeof o['MESSAGE'] === 'string' || Array.isArray(o['MESSAGE'])) return null;
  const msg = o['msg'] ?? o['message'] ?? o['reason'];
  if (typeof msg !== 'string') return null;
  const fields = new Map<string, string>();
  for (const [k, val] of Object.entries(o)) if (typeof val === 'string' || typeof val === 'number') fields.set(k, String(val));
  return { message: msg, fields };
}

function parseLogfmt(text: string): Record | null {
  const m = LOGFMT.exec(text);
  if (!m) return null;
  const unq = (s: string) => (s.startsWith('"') ? (JSON.parse(s) as string) : s);
  const fields = new Map<string, string>();
  for (const f of (m[3] ?? '').matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S+)/g)) fields.set(f[1]!, unq(f[2]!));
  return { message: unq(m[2]!), fields };
}

function toolOf(r: Record): ToolName | null {
  const logger = `${r.fields.get('logger') ?? ''} ${r.fields.get('component') ?? ''} ${r.fields.get('subcomponent') ?? ''}`.toLowerCase();
  if (/\beal\b|dpdk/.test(logger)) return 'dpdk';
  if (/virt-(launcher|handler|controller|api)/.test(logger)) return 'kubevirt';
  const text = [r.message, r.fields.get('reason') ?? '', r.fields.get('error') ?? ''].join(' ');
  return classifyTool(r.message) ?? (PASSTHROUGH_WORDS.test(text) || matchMessage(text) !== null ? 'other' : null);
}

/** The message with the fields that name a device or an error, so the evidence reads on its own. */
function describe(r: Record): string {
  const extra = ['addr', 'device', 'pciAddress', 'error', 'reason', 'err'].map((k) => (r.fields.has(k) && !r.message.includes(r.fields.get(k)!) ? `${k}=${r.fields.get(k)}` : null)).filter(Boolean);
  return extra.length ? `${r.message} (${extra.join(', ')})` : r.message;
}

export const structuredLog: Recogniser = {
  id: 'structured-log',
  label: 'JSON and logfmt service logs (KubeVirt, Harvester, DPDK applications)',
  commands: /^(?:kubectl\s+logs|journalctl\b.*-o\s*json)/,
  match(lines, at) {
    const l = lines[at]!;
    const t = l.text.trim();
    const r = parseJson(t) ?? parseLogfmt(t);
    if (!r) return null;
    return {
      length: 1,
      apply(facts) {
        const tool = toolOf(r);
        if (tool) facts.addTool({ tool, source: l.file, line: l.n, text: describe(r) });
      },
    };
  },
};
