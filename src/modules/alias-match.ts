// modules.alias lines are "alias <fnmatch pattern> <module>"; for PCI the pattern is a modalias like
// "pci:v000010DEd*sv*sd*bc03sc00i00*". Matching every device against every line would be slow on a
// large host, so PCI patterns are indexed by their literal vendor and device fields: a distribution
// kernel has thousands of patterns for one vendor (Intel), but only a handful for one device.

interface AliasPattern {
  pattern: string;
  module: string;
  /** Position in the file (an offset): matches are reported in file order. */
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

const ALIAS_PCI = 'alias pci:';

/**
 * `vendors` (8 hex digits, upper case), when given, leaves out the patterns whose literal vendor is none
 * of them: they can match no modalias of those vendors, and a distribution kernel's file has some 25,000
 * lines. Patterns without a literal vendor are always kept.
 */
export function indexAliases(text: string, vendors?: ReadonlySet<string>): AliasIndex {
  const byDevice = new Map<string, AliasPattern[]>();
  const byVendor = new Map<string, AliasPattern[]>();
  const wildcardVendor: AliasPattern[] = [];
  // Only the PCI lines are visited (found with indexOf, not by splitting the whole file into lines);
  // a pattern's position is its offset, which orders patterns as line numbers do.
  let start = text.startsWith(ALIAS_PCI) ? 0 : -1;
  let from = 0;
  for (;;) {
    if (start < 0) {
      const hit = text.indexOf('\n' + ALIAS_PCI, from);
      if (hit < 0) break;
      start = hit + 1;
    }
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    from = end;
    const at = start;
    start = -1;
    if (vendors !== undefined) {
      const vendor = literalVendor(text, at + ALIAS_PCI.length);
      if (vendor !== null && !vendors.has(vendor)) continue;
    }
    const parts = text.slice(at, end).split(/\s+/);
    if (parts.length < 3) continue;
    const p: AliasPattern = { pattern: parts[1]!, module: parts[2]!, line: at };
    const m = VENDOR_DEVICE.exec(p.pattern);
    if (!m) wildcardVendor.push(p);
    else if (m[2] !== undefined) add(byDevice, (m[1]! + m[2]).toUpperCase(), p);
    else add(byVendor, m[1]!.toUpperCase(), p);
  }
  return { byDevice, byVendor, wildcardVendor };
}

/** The literal vendor of a pattern at `at` ("v000010DE..." -> "000010DE", upper case); null for a wildcard. */
function literalVendor(text: string, at: number): string | null {
  if (text.charCodeAt(at) !== 118 /* v */) return null;
  for (let i = at + 1; i <= at + 8; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return null;
  }
  return text.slice(at + 1, at + 9).toUpperCase();
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
  const vendors = new Set<string>();
  for (const m of modaliases) {
    const v = VENDOR_DEVICE.exec(m);
    if (v) vendors.add(v[1]!.toUpperCase());
  }
  // A modalias without a literal vendor field is looked up among every pattern (none are left out).
  const index = indexAliases(aliasText, modaliases.every((m) => VENDOR_DEVICE.test(m)) ? vendors : undefined);
  const out: Record<string, string[]> = {};
  for (const m of new Set(modaliases)) out[m] = modulesForModalias(index, m);
  return out;
}
