// Kernel build configuration: .config excerpts (CONFIG_VFIO_PCI=y, "# CONFIG_IRQ_REMAP is not set"), with
// a grep file prefix ("/boot/config-6.8.0-48-generic:CONFIG_VFIO=m"), and differences between two
// configurations: unified diff (-/+), normal diff (< / >) and scripts/diffconfig (" VFIO_PCI m -> y").
// The options are those of the newer side; the changes are kept so a rule can name them.
import { parseKernelConfig } from '../../parse/kernel-config.js';
import { whereText, type Recogniser } from '../types.js';

const OPTION = /^([-+<> ]?)\s?(?:[^\s:]+:)?(?:(CONFIG_[A-Za-z0-9_]+)=(\S*)|# (CONFIG_[A-Za-z0-9_]+) is not set)\s*$/;
const DIFFCONFIG = /^([-+ ])([A-Z0-9_]+) (\S+)(?: -> (\S+))?$/;
const DIFF_NOISE = /^(?:--- |\+\+\+ |@@ .* @@|diff |\d+(?:,\d+)?[acd]\d+(?:,\d+)?$|---$|#(?!\s*CONFIG_).*|)$/;

interface Option {
  side: 'old' | 'new' | 'both';
  name: string;
  value: string;
}

function parseLine(t: string, diffconfig: boolean): Option[] | null {
  const m = OPTION.exec(t);
  if (m) {
    const side = m[1] === '-' || m[1] === '<' ? 'old' : m[1] === '+' || m[1] === '>' ? 'new' : 'both';
    return [{ side, name: m[2] ?? m[4]!, value: m[2] ? m[3]!.replace(/^"(.*)"$/, '$1') : 'n' }];
  }
  const d = diffconfig ? DIFFCONFIG.exec(t) : null;
  if (d) {
    const name = `CONFIG_${d[2]}`;
    if (d[1] === ' ' && d[4] !== undefined) return [{ side: 'old', name, value: d[3]! }, { side: 'new', name, value: d[4] }];
    return [{ side: d[1] === '-' ? 'old' : 'new', name, value: d[3]! }];
  }
  return null;
}

export const kernelConfig: Recogniser = {
  id: 'kernel-config',
  label: 'kernel .config excerpts and config diffs',
  commands: /config-|\/proc\/config\.gz|\.config\b|diffconfig|CONFIG_/,
  match(lines, at, ctx) {
    const diffconfig = ctx.command !== null && /diffconfig/.test(ctx.command);
    // A diff starts with its own header lines ("3c3", "--- a/.config", "@@ ... @@"): take them when options follow.
    let first = at;
    while (first < lines.length && first - at < 4 && !parseLine(lines[first]!.text.trimEnd(), diffconfig) && /^(?:--- |\+\+\+ |@@ .* @@|diff |\d+(?:,\d+)?[acd]\d+(?:,\d+)?$)/.test(lines[first]!.text.trim())) first++;
    if (first >= lines.length || !parseLine(lines[first]!.text.trimEnd(), diffconfig)) return null;
    let i = at;
    const options: Option[] = [];
    while (i < lines.length) {
      const t = lines[i]!.text.trimEnd();
      const o = parseLine(t, diffconfig);
      if (o) options.push(...o);
      else if (!DIFF_NOISE.test(t.trim())) break;
      i++;
    }
    while (i > at && lines[i - 1]!.text.trim() === '') i--;
    return {
      length: i - at,
      apply(facts, where) {
        const w = whereText(where);
        const relevant = (name: string) => Object.keys(parseKernelConfig(`${name}=y`)).length > 0;
        const before = new Map<string, string>();
        const after = new Map<string, string>();
        for (const o of options) {
          if (o.side !== 'new') before.set(o.name, o.value);
          if (o.side !== 'old') after.set(o.name, o.value);
        }
        const cfg = facts.kernelConfig ?? {};
        for (const [name, value] of after) if (relevant(name)) cfg[name] = value;
        // An option only on the old side of a diff was removed: the new kernel does not set it.
        for (const [name] of before) if (!after.has(name) && relevant(name)) cfg[name] = 'n';
        facts.kernelConfig = cfg;
        facts.kernelConfigFrom ??= w;
        for (const name of new Set([...before.keys(), ...after.keys()])) {
          const b = before.get(name) ?? null;
          const a = after.get(name) ?? null;
          if (b !== a && relevant(name) && options.some((o) => o.side !== 'both')) facts.kernelConfigChanges.push({ option: name, before: b, after: a, where: w });
        }
        facts.note('kernel-config', w, options.some((o) => o.side !== 'both') ? 'a configuration diff: the newer side is used' : 'an excerpt: options not shown are not known');
      },
    };
  },
};
