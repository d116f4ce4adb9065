// modules.alias lines are "alias <fnmatch pattern> <module>"; for PCI the pattern is a modalias like
// "pci:v000010DEd*sv*sd*bc03sc00i00*". Matching every device against every line would be slow on a
// large host, so PCI patterns are indexed by their literal vendor field.

interface AliasPattern {
  pattern: string;
  module: string;
  re?: RegExp;
}

function globToRegExp(glob: string): RegExp {
  let src = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') src += '.*';
    else if (c === '?') src += '.';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) src += '\\[';
      else {
        src += '[' + glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else src += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp('^' + src + '$');
}

function matches(p: AliasPattern, modalias: string): boolean {
  p.re ??= globToRegExp(p.pattern);
  return p.re.test(modalias);
}

export interface AliasIndex {
  byVendor: Map<string, AliasPattern[]>;
  wildcardVendor: AliasPattern[];
}

export function indexAliases(text: string): AliasIndex {
  const byVendor = new Map<string, AliasPattern[]>();
  const wildcardVendor: AliasPattern[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('alias pci:')) continue;
    const parts = line.split(/\s+/);
    if (parts.length < 3) continue;
    const p: AliasPattern = { pattern: parts[1]!, module: parts[2]! };
    const v = /^pci:v([0-9A-Fa-f]{8})/.exec(p.pattern);
    if (v) {
      const key = v[1]!.toUpperCase();
      const list = byVendor.get(key);
      if (list) list.push(p);
      else byVendor.set(key, [p]);
    } else wildcardVendor.push(p);
  }
  return { byVendor, wildcardVendor };
}

/** The modules whose aliases match a modalias, in file order, without duplicates. */
export function modulesForModalias(index: AliasIndex, modalias: string): string[] {
  const v = /^pci:v([0-9A-Fa-f]{8})/.exec(modalias);
  const candidates = [...(v ? index.byVendor.get(v[1]!.toUpperCase()) ?? [] : []), ...index.wildcardVendor];
  const out: string[] = [];
  for (const p of candidates) if (!out.includes(p.module) && matches(p, modalias)) out.push(p.module);
  return out;
}

export function matchModaliases(aliasText: string, modaliases: string[]): Record<string, string[]> {
  const index = indexAliases(aliasText);
  const out: Record<string, string[]> = {};
  for (const m of new Set(modaliases)) out[m] = modulesForModalias(index, m);
  return out;
}
