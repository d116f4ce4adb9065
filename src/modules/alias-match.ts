// modules.alias lines are "alias <fnmatch pattern> <module>"; for PCI the pattern is a modalias like
// "pci:v000010DEd*sv*sd*bc03sc00i00*". Matching every device against every line would be slow on a
// large host, so PCI patterns are indexed by their literal vendor and device fields: a distribution
// kernel has thousands of patterns for one vendor (Intel), but only a handful for one device.

interface AliasPattern {
  pattern: string;
  module: string;
  /** Position in the file: matches are reported in file order. */
  line: number;
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
  /** Patterns with a literal vendor and device, by VVVVVVVVDDDDDDDD (upper case). */
  byDevice: Map<string, AliasPattern[]>;
  /** Patterns with a literal vendor and any other device field, by vendor. */
  byVendor: Map<string, AliasPattern[]>;
  wildcardVendor: AliasPattern[];
}

const VENDOR_DEVICE = /^pci:v([0-9A-Fa-f]{8})(?:d([0-9A-Fa-f]{8}))?/;

function add(map: Map<string, AliasPattern[]>, key: string, p: AliasPattern): void {
  const list = map.get(key);
  if (list) list.push(p);
  else map.set(key, [p]);
}

export function indexAliases(text: string): AliasIndex {
  const byDevice = new Map<string, AliasPattern[]>();
  const byVendor = new Map<string, AliasPattern[]>();
  const wildcardVendor: AliasPattern[] = [];
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    if (!raw.startsWith('alias pci:')) continue;
    const parts = raw.split(/\s+/);
    if (parts.length < 3) continue;
    const p: AliasPattern = { pattern: parts[1]!, module: parts[2]!, line };
    const m = VENDOR_DEVICE.exec(p.pattern);
    if (!m) wildcardVendor.push(p);
    else if (m[2] !== undefined) add(byDevice, (m[1]! + m[2]).toUpperCase(), p);
    else add(byVendor, m[1]!.toUpperCase(), p);
  }
  return { byDevice, byVendor, wildcardVendor };
}

/** The modules whose aliases match a modalias, in file order, without duplicates. */
export function modulesForModalias(index: AliasIndex, modalias: string): string[] {
  const m = VENDOR_DEVICE.exec(modalias);
  const candidates = [
    ...(m?.[2] !== undefined ? index.byDevice.get((m[1]! + m[2]).toUpperCase()) ?? [] : []),
    ...(m ? index.byVendor.get(m[1]!.toUpperCase()) ?? [] : []),
    ...index.wildcardVendor,
  ].sort((a, b) => a.line - b.line);
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
