// --help and `vfio-doctor help CMD`, rendered from the commands' option tables.
import type { Command } from './command.js';
import { HELP_OPTION, optionSignature, type OptionSpec } from './options.js';
import { VERSION } from '../version.js';

const WIDTH = 80;

/** Words of `text` filled into lines of at most `width` columns (a longer word gets a line of its own). */
export function fillWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** A term and its description: side by side when the term is short, the description below otherwise. */
function definition(term: string, text: string, termWidth: number): string[] {
  const indent = 2 + termWidth + 2;
  const body = fillWords(text, WIDTH - indent);
  if (term.length > termWidth) return [`  ${term}`, ...body.map((l) => ' '.repeat(indent) + l)];
  return body.map((l, i) => (i === 0 ? `  ${term.padEnd(termWidth)}  ${l}` : ' '.repeat(indent) + l));
}

/** The description of an option with its default and repeatability, as help and the man page show it. */
export function optionText(o: OptionSpec): string {
  const parts = [`${o.description.replace(/\.$/, '')}.`];
  if (o.multiple) parts.push('Repeatable.');
  if (o.default !== undefined) parts.push(`Default: ${o.default}.`);
  return parts.join(' ');
}

export function commandHelp(cmd: Command): string {
  const termWidth = 24;
  // An innermost [--option VALUE] group stays on one line.
  const glued = cmd.usage.replace(/\[[^[\]]*\]/g, (g) => g.replace(/ /g, '\u0001'));
  const usage = fillWords(glued, WIDTH - 9).map((l, i) => (i === 0 ? `Usage: ${l}` : `         ${l}`).replace(/\u0001/g, ' '));
  const out = [...usage, '', ...fillWords(capitalise(cmd.summary) + '.', WIDTH), ''];
  if (cmd.positionals && cmd.positionals.length > 0) {
    out.push('Arguments:');
    for (const p of cmd.positionals) out.push(...definition(p.name, p.description, termWidth));
    out.push('');
  }
  out.push('Options:');
  for (const o of [...cmd.options, HELP_OPTION]) out.push(...definition(optionSignature(o), optionText(o), termWidth));
  out.push('', 'Examples:');
  for (const e of cmd.examples) out.push(`  ${e.command}`, ...fillWords(e.says, WIDTH - 6).map((l) => `      ${l}`));
  out.push('');
  return out.join('\n') + '\n';
}

export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `vfio-doctor ${VERSION} — diagnose PCI passthrough (IOMMU / VFIO), layer by layer`,
    '',
    'Usage: vfio-doctor <command> [options]',
    '',
    'Commands:',
    ...commands.flatMap((c) => fillWords(c.summary, WIDTH - width - 4).map((l, i) => (i === 0 ? `  ${c.name.padEnd(width)}  ${l}` : ' '.repeat(width + 4) + l))),
    '',
    'Run "vfio-doctor help <command>" (or "vfio-doctor <command> --help") for its options and examples.',
    '"vfio-doctor --version" prints the version.',
    '',
  ].join('\n');
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
