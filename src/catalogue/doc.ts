// docs/messages.md, generated from the catalogue (npm run docs); a test keeps it in step.
import { LAYERS } from '../analyze/layers.js';
import type { CatalogueEntry } from './types.js';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function messagesDoc(entries: readonly CatalogueEntry[]): string {
  const out: string[] = [
    '# Known messages',
    '',
    '<!-- Generated from catalogue/*.json by `npm run docs`; do not edit by hand. -->',
    '',
    `vfio-doctor recognises ${entries.length} families of passthrough failure messages, wherever they stand in a paste or a log:`,
    'behind any time stamp or log header, a program name (`kvm:`, `qemu-system-x86_64:`, `modprobe:`), a wrapper',
    '(`TASK ERROR:`, `QMP command failed:`, `error: internal error:`, the OCI runtime chain), in a JSON record or a',
    'Markdown quote, and soft-wrapped over two or three lines. Each family below says what the message proves, what it',
    'does not, how the errno it carries changes that, and the fix. A message marked harmless yields no finding; the',
    'others yield a finding of the `message-<layer>` rules unless a dedicated rule already judged the same line.',
    '',
    'To add a family: an entry in catalogue/*.json with an example line as the program prints it (read its source; do',
    'not guess the wording). The tests check the example behind every prefix style and wrapped.',
    '',
  ];
  for (const layer of LAYERS) {
    const here = entries.filter((e) => e.layer === layer);
    if (here.length === 0) continue;
    out.push(`## ${layer}`, '');
    for (const e of here) {
      out.push(`### \`${e.id}\``, '');
      out.push(`    ${e.example}`, '');
      out.push(`- printed by: ${e.printedBy} (${e.origin})`);
      out.push(e.harmless !== undefined ? `- harmless: ${e.harmless}` : `- finding: ${e.layer} / \`${e.cause}\`, ${e.severity}`);
      out.push(`- proves: ${e.proves}`);
      out.push(`- does not prove: ${e.notProves}`);
      if (e.settles && e.settles.length > 0) out.push(`- settles as working: ${e.settles.join(', ')}`);
      out.push(`- fix: ${e.fix}`);
      const errno = Object.entries(e.errno ?? {});
      if (errno.length > 0) {
        out.push('', '| errno | layer | cause | severity | meaning |', '|---|---|---|---|---|');
        for (const [name, v] of errno) out.push(`| ${name} | ${v.layer} | \`${v.cause}\` | ${v.severity} | ${cell(v.meaning)} |`);
      }
      out.push('');
    }
  }
  return out.join('\n');
}
