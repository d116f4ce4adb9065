// A small XML reader for the subset libvirt writes (domain definitions): elements, attributes, text.
// It is tolerant rather than validating: comments, processing instructions, CDATA, DOCTYPE and namespace
// prefixes are accepted and unknown entities kept as written; only a document cut off before its end is refused.

export interface XmlElement {
  /** Local name, without a namespace prefix ("qemu:commandline" -> "commandline"). */
  name: string;
  /** The name as written, prefix included. */
  qname: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
  /** 1-based line of the start tag. */
  line: number;
}

export class XmlError extends Error {}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (all, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    return ENTITIES[e] ?? all;
  });
}

const local = (q: string) => q.slice(q.indexOf(':') + 1);
const ATTR = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** Parses one document; the root element is returned. Throws XmlError when there is no element at all. */
export function parseXml(text: string): XmlElement {
  const root: XmlElement = { name: '#document', qname: '#document', attrs: {}, children: [], text: '', line: 1 };
  const stack: XmlElement[] = [root];
  let i = 0;
  let line = 1;
  const advance = (to: number) => {
    for (let k = i; k < to; k++) if (text.charCodeAt(k) === 10) line++;
    i = to;
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const top = stack[stack.length - 1]!;
    if (lt < 0) {
      top.text += decode(text.slice(i));
      break;
    }
    if (lt > i) top.text += decode(text.slice(i, lt));
    advance(lt);
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      advance(end < 0 ? text.length : end + 3);
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9);
      top.text += text.slice(i + 9, end < 0 ? text.length : end);
      advance(end < 0 ? text.length : end + 3);
    } else if (text.startsWith('<?', i) || text.startsWith('<!', i)) {
      const end = text.indexOf('>', i);
      advance(end < 0 ? text.length : end + 1);
    } else if (text.startsWith('</', i)) {
      const end = text.indexOf('>', i);
      const name = text.slice(i + 2, end < 0 ? text.length : end).trim();
      // Close up to the matching element; a stray end tag is ignored.
      const at = stack.map((e) => e.qname).lastIndexOf(name);
      if (at > 0) stack.length = at;
      advance(end < 0 ? text.length : end + 1);
    } else {
      const end = tagEnd(text, i);
      const body = text.slice(i + 1, end < 0 ? text.length : end);
      const selfClosing = body.endsWith('/');
      const inner = selfClosing ? body.slice(0, -1) : body;
      const qname = /^[^\s/>]+/.exec(inner)?.[0] ?? '';
      const attrs: Record<string, string> = {};
      for (const m of inner.slice(qname.length).matchAll(ATTR)) attrs[local(m[1]!)] = decode(m[2] ?? m[3] ?? '');
      const el: XmlElement = { name: local(qname), qname, attrs, children: [], text: '', line };
      top.children.push(el);
      advance(end < 0 ? text.length : end + 1);
      if (!selfClosing) stack.push(el);
    }
  }
  const first = root.children[0];
  if (!first) throw new XmlError('no XML element found');
  // A cut-off file would silently lose the hostdevs after the cut: say so instead.
  if (stack.length > 1) {
    const open = stack[stack.length - 1]!;
    throw new XmlError(`truncated: <${open.qname}> opened at line ${open.line} is never closed`);
  }
  return first;
}

/** The index of the ">" closing a start tag, skipping ">" inside quoted attribute values. */
function tagEnd(text: string, from: number): number {
  let quote = '';
  for (let k = from + 1; k < text.length; k++) {
    const c = text[k]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return k;
  }
  return -1;
}

export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** The trimmed text of a direct child, or null. */
export function childText(el: XmlElement | undefined, name: string): string | null {
  const c = child(el, name);
  return c ? c.text.trim() : null;
}
