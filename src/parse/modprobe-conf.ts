import type { ModprobeEntry, ModprobeKind, ModuleLoadEntry } from '../snapshot/types.js';

const KINDS: ReadonlySet<string> = new Set(['options', 'blacklist', 'softdep', 'install', 'remove', 'alias']);

/** Joins backslash-continued lines, keeping the number of the line each logical line starts on. */
function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const raw = text.split(/\r?\n/);
  for (let i = 0; i < raw.length; i++) {
    const start = i + 1;
    let cur = raw[i]!;
    while (cur.endsWith('\\') && i + 1 < raw.length) {
      cur = cur.slice(0, -1) + ' ' + raw[++i]!;
    }
    out.push({ text: cur, line: start });
  }
  return out;
}

/** modprobe.d(5): one command per line; '#' starts a comment line. */
export function parseModprobeConf(text: string, file: string): { entries: ModprobeEntry[]; unknown: { line: number; text: string }[] } {
  const entries: ModprobeEntry[] = [];
  const unknown: { line: number; text: string }[] = [];
  for (const { text: l, line } of logicalLines(text)) {
    const t = l.trim();
    if (t === '' || t.startsWith('#')) continue;
    const m = /^(\S+)\s+(\S+)\s*(.*)$/.exec(t);
    if (!m || !KINDS.has(m[1]!)) {
      unknown.push({ line, text: t });
      continue;
    }
    const kind = m[1] as ModprobeKind;
    // For alias the second word is the wildcard and the module is the third; keep module = target.
    if (kind === 'alias') {
      const target = m[3]!.split(/\s+/)[0] ?? '';
      entries.push({ kind, module: target, value: m[2]!, file, line });
    } else {
      entries.push({ kind, module: m[2]!, value: m[3]!.trim(), file, line });
    }
  }
  return { entries, unknown };
}

/** modules-load.d(5) and /etc/modules: one module name per line, '#' or ';' comments, arguments after the name ignored. */
export function parseModulesLoad(text: string, file: string, stage: ModuleLoadEntry['stage']): ModuleLoadEntry[] {
  const out: ModuleLoadEntry[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    const t = l.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) return;
    const name = t.split(/\s+/)[0]!;
    out.push({ module: name, file, line: i + 1, stage });
  });
  return out;
}

/** A softdep value "pre: a b post: c" split into its lists. */
export function parseSoftdep(value: string): { pre: string[]; post: string[] } {
  const pre: string[] = [];
  const post: string[] = [];
  let cur: string[] | null = null;
  for (const w of value.split(/\s+/).filter(Boolean)) {
    if (w === 'pre:') cur = pre;
    else if (w === 'post:') cur = post;
    else cur?.push(w);
  }
  return { pre, post };
}

/** Option words of an "options" value: "ids=10de:1e87,10de:10f8 disable_vga=1" -> {ids: ..., disable_vga: "1"}. */
export function parseModuleOptions(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const w of value.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []) {
    const eq = w.indexOf('=');
    if (eq < 0) out[w] = '';
    else out[w.slice(0, eq)] = w.slice(eq + 1).replace(/^"(.*)"$/, '$1');
  }
  return out;
}
