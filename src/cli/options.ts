// One option table per command: the parser, --help, the man page and the shell completions are all
// derived from it, so none of them can fall out of step with what the command accepts.
import { parseArgs } from 'node:util';
import { UsageError } from './command.js';
import { nearest } from './suggest.js';

/** How a shell completes an option's value or a positional argument. */
export type Completion = 'file' | 'dir' | 'none';

export interface OptionSpec {
  /** Long name, without the dashes. */
  readonly name: string;
  readonly short?: string;
  /** Placeholder for the value (DIR, FILE, ADDR); a flag has none. */
  readonly value?: string;
  /** May be given more than once (values accumulate). */
  readonly multiple?: boolean;
  readonly description: string;
  /** What applies when the option is not given, in words; omitted when "not given" says it all. */
  readonly default?: string;
  readonly complete?: Completion;
}

export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  readonly complete?: Completion;
}

export interface Example {
  readonly command: string;
  /** What it does, in a few words. */
  readonly says: string;
}

type ValueOf<O extends OptionSpec> = O extends { readonly value: string } ? (O extends { readonly multiple: true } ? string[] | undefined : string | undefined) : boolean;

/** The parsed values of a table, typed by it: strings for options with a value, booleans for flags. */
export type OptionValues<T extends readonly OptionSpec[]> = { [O in T[number] as O['name']]: ValueOf<O> };

/** The entry every command understands without listing it. */
export const HELP_OPTION: OptionSpec = { name: 'help', short: 'h', description: 'show this help and exit' };

interface ParseArgsOption {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  default?: boolean;
}

/**
 * Parses argv against the table. Errors become one-line usage errors that name the option, with the
 * nearest known option when the name looks mistyped.
 */
export function parseCommandLine<const T extends readonly OptionSpec[]>(
  argv: string[],
  options: T,
  opts: { positionals?: boolean } = {},
): { values: OptionValues<T>; positionals: string[] } {
  const config: Record<string, ParseArgsOption> = {};
  for (const o of options) {
    config[o.name] = {
      type: o.value !== undefined ? 'string' : 'boolean',
      ...(o.short !== undefined ? { short: o.short } : {}),
      ...(o.multiple ? { multiple: true } : {}),
      ...(o.value === undefined ? { default: false } : {}),
    };
  }
  try {
    const r = parseArgs({ args: argv, options: config, allowPositionals: opts.positionals ?? false, strict: true });
    return { values: r.values as OptionValues<T>, positionals: r.positionals };
  } catch (err) {
    throw translateParseError(err, options);
  }
}

function translateParseError(err: unknown, options: readonly OptionSpec[]): unknown {
  const code = (err as { code?: unknown })?.code;
  const message = (err as Error)?.message ?? '';
  // Node quotes the option as typed, or as "--root <value>" when its value is missing.
  const quoted = /'([^' ]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted !== undefined) {
    return new UsageError(`unknown option '${quoted}'${suggestOption(quoted, options)}`);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && quoted !== undefined) {
    const o = findOption(quoted, options);
    if (o?.value !== undefined) return new UsageError(`${quoted} needs a value (${o.value})`);
    if (o) return new UsageError(`${quoted} takes no value`);
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && quoted !== undefined) {
    return new UsageError(`unexpected argument '${quoted}': this command takes options only`);
  }
  return err;
}

function findOption(spelled: string, options: readonly OptionSpec[]): OptionSpec | undefined {
  const bare = spelled.replace(/^--?/, '').replace(/=.*$/, '');
  return options.find((o) => o.name === bare || o.short === bare);
}

function suggestOption(spelled: string, options: readonly OptionSpec[]): string {
  const bare = spelled.replace(/^--?/, '').replace(/=.*$/, '');
  const names = [...options, HELP_OPTION].map((o) => o.name);
  const best = nearest(bare, names);
  return best.length > 0 ? ` (did you mean ${best.map((n) => `--${n}`).join(' or ')}?)` : '';
}

/** "--root DIR", "-o, --output FILE", "--device ADDR..." */
export function optionSignature(o: OptionSpec): string {
  const long = `--${o.name}${o.value !== undefined ? ` ${o.value}` : ''}`;
  return o.short !== undefined ? `-${o.short}, ${long}` : long;
}
